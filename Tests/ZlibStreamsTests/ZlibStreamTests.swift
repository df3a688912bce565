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
