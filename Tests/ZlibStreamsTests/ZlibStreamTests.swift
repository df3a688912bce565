import Testing
@testable import ZlibStreams

struct ZlibStreamTests {
    @Test func chunksInflateOneByOneAcrossLevelChanges() throws {
        let deflater = DeflateStream(level: 6)
        let inflater = InflateStream()
        var rng: UInt64 = 1
        for i in 0..<20 {
            if i == 7 { deflater.setLevel(1) }
            if i == 13 { deflater.setLevel(9) }
            let input: [UInt8] = (0..<(i * 997 + 1)).map { j in rng = rng &* 6364136223846793005 &+ 1; return j % 5 == 0 ? UInt8(truncatingIfNeeded: rng >> 56) : UInt8(j % 7) }
            var compressed: [UInt8] = []
            deflater.compress(input, appendingTo: &compressed)
            let out = try inflater.decompress(compressed, limit: input.count)
            #expect(out == input)
        }
    }

    /// Incompressible chunks make output several times the stream's own output buffer: it all
    /// arrives, after what `output` held, at level 0 (stored blocks) as at 6.
    @Test func outputLongerThanTheStreamsBufferArrivesWhole() throws {
        for level in [0, 6] {
            let deflater = DeflateStream(level: level), inflater = InflateStream()
            var rng: UInt64 = 3
            for size in [100_000, 16_384, 40_000] {
                let input: [UInt8] = (0..<size).map { _ in
                    rng = rng &* 6364136223846793005 &+ 1442695040888963407
                    return UInt8(truncatingIfNeeded: rng >> 56)
                }
                var output: [UInt8] = [1, 2, 3]
                deflater.compress(input, appendingTo: &output)
                #expect(output.count > size)
                #expect(Array(output.prefix(3)) == [1, 2, 3])
                #expect(try inflater.decompress(Array(output.dropFirst(3)), limit: size) == input)
            }
        }
    }

    @Test func aBombStopsAtTheLimit() {
        let deflater = DeflateStream(level: 9)
        var compressed: [UInt8] = []
        deflater.compress([UInt8](repeating: 0, count: 10_000_000), appendingTo: &compressed)
        #expect(compressed.count < 20_000)
        #expect(throws: InflateStream.InflateError.outputLimitExceeded(1_000_000)) {
            _ = try InflateStream().decompress(compressed, limit: 1_000_000)
        }
    }

    @Test func garbageIsAnError() {
        #expect(throws: InflateStream.InflateError.self) {
            _ = try InflateStream().decompress([0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x12], limit: 1000)
        }
    }
}

/// `DeflateStream.Flush.partial`: every chunk inflates whole on its own, though the bits that end
/// it lead the next one, and it costs less than a sync flush.
struct PartialFlushTests {
    /// Small chunks with repeats, like the ZRLE data of typed characters.
    static func chunks() -> [[UInt8]] {
        var rng: UInt64 = 5
        return (0..<40).map { i in
            (0..<(20 + i % 7 * 9)).map { j in
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return j % 4 == 0 ? UInt8(truncatingIfNeeded: rng >> 60) : UInt8((i + j) % 5)
            }
        }
    }

    @Test func everyChunkInflatesWholeAndCostsLessThanASyncFlush() throws {
        let partial = DeflateStream(level: 6), sync = DeflateStream(level: 6)
        let whole = InflateStream(), byteByByte = InflateStream()
        var partialBytes = 0, syncBytes = 0
        for input in Self.chunks() {
            var a: [UInt8] = [], b: [UInt8] = []
            partial.compress(input, appendingTo: &a, flush: .partial)
            sync.compress(input, appendingTo: &b)
            partialBytes += a.count
            syncBytes += b.count
            #expect(try whole.decompress(a, limit: input.count) == input)
            var out: [UInt8] = []
            for byte in a { out += try byteByByte.decompress([byte], limit: input.count) }
            #expect(out == input)
        }
        // A sync flush's empty stored block is 3 bits, padding and 4 bytes; a partial flush's is
        // 10 bits, and 2 bytes on average.
        #expect(syncBytes - partialBytes >= 2 * Self.chunks().count, "partial \(partialBytes), sync \(syncBytes)")
    }

    @Test func partialAndSyncChunksMixAcrossLevelChanges() throws {
        let deflater = DeflateStream(level: 6)
        let inflater = InflateStream()
        for (i, input) in Self.chunks().enumerated() {
            deflater.setLevel([6, 0, 9, 1][i % 4])
            let flush: DeflateStream.Flush = i % 3 == 0 ? .sync : .partial
            var compressed: [UInt8] = []
            deflater.compress(input, appendingTo: &compressed, flush: flush)
            #expect(deflater.bitsPending == (flush == .partial))
            #expect(try inflater.decompress(compressed, limit: input.count) == input, "chunk \(i)")
        }
    }
}

struct InflateStreamEndTests {
    @Test func bytesAfterTheEndOfTheStreamAreAnErrorNotAHang() throws {
        // zlib's encoding of nothing (header, final empty block, Adler-32), then one stray byte.
        let finished: [UInt8] = [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        #expect(throws: InflateStream.InflateError.corrupt("1 bytes after the end of the zlib stream")) {
            try InflateStream().decompress(finished + [0xaa], limit: 100)
        }
        #expect(try InflateStream().decompress(finished, limit: 100) == [])
    }
}
