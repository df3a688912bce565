import Testing
@testable import ZlibStreams

/// A restart takes at most `DeflateStream.recentDictionaryBytes` of the history as its
/// dictionary, and one sized to its next input (`DeflateStream.RestartDictionary.sizedToNextInput`)
/// as little as 4 KiB; the viewer, which keeps the whole history, still inflates what follows.
struct RestartDictionaryTests {
    /// Bytes deflate cannot shrink, so that the only way to compress a copy of them is a match.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] { SplicedChunkTests.noise(count, seed: seed) }

    /// Where a needle lies as far back as zlib's matches reach: zlib keeps the last 262 bytes of
    /// its 32 KiB window for lookahead (`MAX_DIST`), so a match cannot reach the window's start.
    static let farOffset = 1000
    /// Where a needle lies 12 KiB before the history's end: inside the recent 16 KiB, outside 4 KiB.
    static let middleOffset = DeflateStream.windowSize - 12_000

    @Test func dictionaryGrowsWithTheInputUpToTheRecentHistory() {
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: 0) == 4096)
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: 60) == 4096)
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: 100) == 6400)
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: 255) == 16320)
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: 256) == DeflateStream.recentDictionaryBytes)
        #expect(DeflateStream.sizedDictionaryBytes(forNextInput: .max) == DeflateStream.recentDictionaryBytes)
    }

    /// Sends 32 KiB of noise with `needle` at `needleOffset`, restarts with that history and
    /// `dictionary`, and sends `needle` again. Returns the bytes the second chunk took, after
    /// checking that a viewer's inflate reads both chunks back.
    static func bytesForRepeatedNeedle(at needleOffset: Int, needle: [UInt8],
                                       dictionary: DeflateStream.RestartDictionary) throws -> Int {
        var history = noise(DeflateStream.windowSize, seed: 5)
        history.replaceSubrange(needleOffset..<needleOffset + needle.count, with: needle)
        let stream = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let viewer = InflateStream()
        var wire: [UInt8] = []
        stream.compress(history, appendingTo: &wire)
        #expect(try viewer.decompress(wire, limit: history.count) == history)
        history.withUnsafeBytes { stream.restart(history: $0, dictionary: dictionary) }
        wire = []
        stream.compress(needle, appendingTo: &wire)
        #expect(try viewer.decompress(wire, limit: needle.count) == needle)
        return wire.count
    }

    @Test func aRestartTakesOnlyTheRecentHistory() throws {
        let needle = Self.noise(300, seed: 9)
        let middle = try Self.bytesForRepeatedNeedle(at: Self.middleOffset, needle: needle, dictionary: .recent)
        let far = try Self.bytesForRepeatedNeedle(at: Self.farOffset, needle: needle, dictionary: .recent)
        #expect(middle < 30, "16 KiB reach the needle 12 KiB back: \(middle) bytes")
        #expect(far >= needle.count, "16 KiB do not reach back 31 KiB: \(far) bytes")
    }

    @Test func aSizedRestartMatchesOnlyTheHistoryTail() throws {
        let needle = Self.noise(60, seed: 10)
        // 60 bytes of input take a dictionary of 4 KiB: the needle 12 KiB back lies outside it,
        // at the history's end inside.
        let middleSized = try Self.bytesForRepeatedNeedle(at: Self.middleOffset, needle: needle, dictionary: .sizedToNextInput)
        let nearSized = try Self.bytesForRepeatedNeedle(at: DeflateStream.windowSize - needle.count, needle: needle,
                                                        dictionary: .sizedToNextInput)
        #expect(nearSized < 30, "the sized dictionary holds the history's tail: \(nearSized) bytes")
        #expect(middleSized >= needle.count, "the sized dictionary does not reach back 12 KiB: \(middleSized) bytes")
    }

    @Test func aLargeNextInputTakesTheRecentHistory() throws {
        let needle = Self.noise(600, seed: 11)
        let middle = try Self.bytesForRepeatedNeedle(at: Self.middleOffset, needle: needle, dictionary: .sizedToNextInput)
        #expect(middle < 30, "600 bytes of input take 16 KiB: \(middle) bytes")
    }

    /// Sends a sized restart, then the history's last 1000 bytes as a spliced chunk restarting
    /// with `spliceRestart` (nil: the default), then `needle` of 60 bytes, which the history holds
    /// 12 KiB back. Returns the needle's bytes on the wire, after checking what the viewer reads.
    static func bytesForNeedleAfterSplice(restartingWith spliceRestart: DeflateStream.RestartDictionary?) throws -> Int {
        let needle = Self.noise(60, seed: 13)
        var history = Self.noise(DeflateStream.windowSize, seed: 6)
        history.replaceSubrange(Self.middleOffset..<Self.middleOffset + needle.count, with: needle)
        let stream = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let viewer = InflateStream()
        let splicer = SplicedChunkDeflater()
        var wire: [UInt8] = []
        let first = Array(history[..<(history.count - 1000)]), spliced = Array(history[(history.count - 1000)...])
        stream.compress(first, appendingTo: &wire)
        first.withUnsafeBytes { stream.restart(history: $0, dictionary: .sizedToNextInput) }
        let didSplice = spliced.withUnsafeBytes { piece in
            history.withUnsafeBytes {
                if let spliceRestart {
                    stream.compressSpliced(piece, with: splicer, history: $0, restartDictionary: spliceRestart, appendingTo: &wire)
                } else {
                    stream.compressSpliced(piece, with: splicer, history: $0, appendingTo: &wire)
                }
            }
        }
        #expect(didSplice)
        #expect(try viewer.decompress(wire, limit: history.count) == history)
        wire = []
        stream.compress(needle, appendingTo: &wire)
        #expect(try viewer.decompress(wire, limit: needle.count) == needle)
        return wire.count
    }

    @Test func aSplicedChunkAfterASizedRestartRestartsWithTheRecentHistory() throws {
        // `compressSpliced` replaces the pending restart with its own, which by default takes the
        // recent 16 KiB whatever the restart before it asked for.
        let bytes = try Self.bytesForNeedleAfterSplice(restartingWith: nil)
        #expect(bytes < 30, "the spliced chunk's restart reaches the needle 12 KiB back: \(bytes) bytes")
    }

    @Test func aSplicedChunkMayRestartSizedToTheNextInput() throws {
        // As serial ZRLE rectangles ask: 60 bytes of input take 4 KiB of dictionary.
        let bytes = try Self.bytesForNeedleAfterSplice(restartingWith: .sizedToNextInput)
        #expect(bytes >= 60, "the sized restart does not reach back 12 KiB: \(bytes) bytes")
    }
}
