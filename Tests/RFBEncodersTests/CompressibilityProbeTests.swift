import Testing
@testable import RFBEncoders

/// `CompressibilityProbe` calls noise incompressible, and anything deflate could shrink (few byte
/// values, or repeats within its window, also across spans) compressible.
struct CompressibilityProbeTests {
    /// Deterministic noise bytes (xorshift), as a video frame's raw tiles look.
    static func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    static func verdicts(_ bytes: [UInt8], spans: [Range<Int>]) -> [Bool] {
        let probe = CompressibilityProbe()
        return bytes.withUnsafeBufferPointer { p in
            probe.begin(p.baseAddress!)
            return spans.map { probe.isIncompressible(from: $0.lowerBound, to: $0.upperBound) }
        }
    }

    @Test func noiseIsIncompressible() {
        let bytes = Self.noise(3 * 12288)
        #expect(Self.verdicts(bytes, spans: [0..<12288, 12288..<24576, 24576..<36864]) == [true, true, true])
    }

    @Test func fewByteValuesAreCompressible() {
        // Random values below 64: 6 bits of entropy per byte, so Huffman coding alone gains 25%.
        let bytes = Self.noise(12288).map { $0 & 63 }
        #expect(Self.verdicts(bytes, spans: [0..<12288]) == [false])
        #expect(Self.verdicts([UInt8](repeating: 7, count: 4096), spans: [0..<4096]) == [false])
    }

    @Test func repeatsWithinASpanAreCompressible() {
        // 1000 noise bytes four times over: high entropy, but three quarters are matches.
        let block = Self.noise(1000)
        #expect(Self.verdicts(block + block + block + block, spans: [0..<4000]) == [false])
    }

    /// Repeats of `guaranteedMatchLength` bytes are found at any distance and alignment: here 16
    /// of every 40 bytes repeat bytes from `distance` earlier (far back, some are lost to
    /// overwritten hash slots, but far more than 2% of the span is still found).
    @Test(arguments: [5, 23, 97, 1001, 30000])
    func shortRepeatsAtAnyDistanceAreFound(distance: Int) {
        var bytes = Self.noise(12288 + distance)
        let length = CompressibilityProbe.guaranteedMatchLength
        for chunk in stride(from: distance + 40, to: bytes.count - 40, by: 40) {
            for i in 0..<length { bytes[chunk + i] = bytes[chunk + i - distance] }
        }
        #expect(Self.verdicts(bytes, spans: [0..<bytes.count]) == [false])
    }

    @Test func aSpanRepeatingAnEarlierOneIsCompressible() {
        // The second span is the first again, within deflate's 32 KiB window: deflate matches it.
        let tile = Self.noise(12288)
        #expect(Self.verdicts(tile + tile, spans: [0..<12288, 12288..<24576]) == [true, false])
        // Beyond the window the repeat cannot be matched, so the copy is incompressible again.
        let far = tile + Self.noise(CompressibilityProbe.window, seed: 42) + tile
        let second = 12288 + CompressibilityProbe.window
        #expect(Self.verdicts(far, spans: [0..<12288, 12288..<second, second..<(second + 12288)]) == [true, true, true])
    }

    /// A band's verdicts do not depend on the bands before it, although `begin` no longer clears
    /// the table. Here the second band's first span is all zeros but for a 200-byte piece `piece`
    /// (low entropy, so it is never scanned), and its second span, noise, repeats `piece`:
    /// judged alone that span is incompressible, since the span with the earlier copy was skipped.
    /// The first band had `piece` at the same offset in noise, so it was scanned, and a table
    /// that kept its positions would find the repeat and call the span compressible.
    @Test(arguments: [1 << 30, 8192])
    func aBandIsJudgedAsIfItCameFirst(baseLimit: Int) {
        let piece = Self.noise(200, seed: 7)
        var earlier = Self.noise(8192, seed: 11)
        earlier.replaceSubrange(1000..<1200, with: piece)
        var band = [UInt8](repeating: 0, count: 4096) + Self.noise(4096, seed: 13)
        band.replaceSubrange(1000..<1200, with: piece)
        band.replaceSubrange(6000..<6200, with: piece)
        let spans = [0..<4096, 4096..<8192]
        let alone = Self.verdicts(band, spans: spans)
        #expect(alone == [false, true])

        let probe = CompressibilityProbe(baseLimit: baseLimit)
        var reused: [[Bool]] = []
        // Several rounds; with the small limit the table is cleared at every band after the first.
        for _ in 0..<4 {
            for bytes in [earlier, band] {
                reused.append(bytes.withUnsafeBufferPointer { p in
                    probe.begin(p.baseAddress!)
                    return spans.map { probe.isIncompressible(from: $0.lowerBound, to: $0.upperBound) }
                })
            }
        }
        let earlierAlone = Self.verdicts(earlier, spans: spans)
        #expect(reused == Array(repeating: [earlierAlone, alone], count: 4).flatMap { $0 })
    }

    @Test func shortSpansAreLeftToDeflate() {
        #expect(Self.verdicts(Self.noise(63), spans: [0..<63]) == [false])
    }
}
