import Testing
import NIOCore
import Geometry
import Pixels
import ZlibStreams
@testable import RFBClient

/// Hostile ZRLE payloads: every one is refused with `.malformed` and a message that says why,
/// and nothing unbounded is allocated or waited for.
struct ZRLEMalformedTests {
    /// A payload (U32 length + zlib data) carrying `tileData` on a fresh stream.
    static func payload(_ tileData: [UInt8]) -> ByteBuffer {
        var z: [UInt8] = []
        DeflateStream(level: 6).compress(tileData, appendingTo: &z)
        var b = ByteBuffer()
        b.writeInteger(UInt32(z.count))
        b.writeBytes(z)
        return b
    }

    static func decode(_ input: ByteBuffer, rect: Rect, format: PixelFormat = .xrgb8888) throws(RectangleDecodingError) -> PixelBuffer {
        var decoder = ZRLEDecoder()
        var fb = PixelBuffer(width: 70, height: 70, fill: 0x00ee_eeee)
        var input = input
        try decoder.decode(rect, from: &input, format: format, into: &fb)
        #expect(input.readableBytes == 0)
        return fb
    }

    /// Expects `.malformed` whose message contains `phrase`.
    static func expectMalformed(_ input: ByteBuffer, rect: Rect, containing phrase: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try decode(input, rect: rect)
            Issue.record("decoded without error", sourceLocation: sourceLocation)
        } catch .malformed(let why) {
            #expect(why.contains(phrase), "\(why)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error) instead of malformed", sourceLocation: sourceLocation)
        }
    }

    static let a: [UInt8] = [0x33, 0x22, 0x11], b: [UInt8] = [0x66, 0x55, 0x44], c: [UInt8] = [0x99, 0x88, 0x77]
    static let small = Rect(x: 1, y: 2, width: 2, height: 2)

    @Test func craftedTilesDecode() throws {
        var fb = try Self.decode(Self.payload([1] + Self.a), rect: Self.small)
        #expect(fb[1, 2] == 0x0011_2233 && fb[2, 3] == 0x0011_2233)
        #expect(fb[0, 2] == 0x00ee_eeee && fb[3, 3] == 0x00ee_eeee && fb[1, 4] == 0x00ee_eeee)
        // Packed palette of 3 (2 bits): rows "0 1", "2 1".
        fb = try Self.decode(Self.payload([3] + Self.a + Self.b + Self.c + [0b0001_0000, 0b1001_0000]), rect: Self.small)
        #expect([fb[1, 2], fb[2, 2], fb[1, 3], fb[2, 3]] == [0x112233, 0x445566, 0x778899, 0x445566])
        // Palette RLE: b x3, a x1.
        fb = try Self.decode(Self.payload([130] + Self.a + Self.b + [0x81, 2, 0]), rect: Self.small)
        #expect([fb[1, 2], fb[2, 2], fb[1, 3], fb[2, 3]] == [0x445566, 0x445566, 0x445566, 0x112233])
    }

    @Test func truncatedTileData() {
        Self.expectMalformed(Self.payload([0] + Self.a), rect: Self.small, containing: "ends inside a raw tile")
        Self.expectMalformed(Self.payload([5] + Self.a + Self.b), rect: Self.small, containing: "ends inside a palette")
        Self.expectMalformed(Self.payload([2] + Self.a + Self.b + [0]), rect: Self.small, containing: "ends inside a packed-palette tile")
        Self.expectMalformed(Self.payload([128] + Self.a + [0]), rect: Self.small, containing: "ends inside a plain-RLE run")
        Self.expectMalformed(Self.payload([128] + Self.a), rect: Self.small, containing: "ends inside a run length")
        Self.expectMalformed(Self.payload([]), rect: Self.small, containing: "ends inside a tile's subencoding")
        // Two tiles across, the second missing.
        Self.expectMalformed(Self.payload([1] + Self.a), rect: Rect(x: 0, y: 0, width: 65, height: 1), containing: "subencoding")
    }

    @Test func truncatedChunkWaitsAndOversizedLengthDoesNot() throws {
        var full = Self.payload([1] + Self.a)
        var partial = full.getSlice(at: 0, length: full.readableBytes - 1)!
        var decoder = ZRLEDecoder()
        var fb = PixelBuffer(width: 10, height: 10)
        #expect(throws: RectangleDecodingError.needMoreData) { try decoder.decode(Self.small, from: &partial, format: .xrgb8888, into: &fb) }
        try decoder.decode(Self.small, from: &full, format: .xrgb8888, into: &fb)

        var huge = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff])
        Self.expectMalformed(huge, rect: Self.small, containing: "exceeds the limit")
        huge = ByteBuffer()
        huge.writeInteger(UInt32(ZRLEDecoder.maximumChunkLength + 1))
        Self.expectMalformed(huge, rect: Self.small, containing: "exceeds the limit")
    }

    @Test func badZlib() {
        var input = ByteBuffer()
        input.writeInteger(UInt32(7))
        input.writeBytes([0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x12])
        Self.expectMalformed(input, rect: Self.small, containing: "zlib")
    }

    @Test func inflatingPastWhatTheRectCanNeed() {
        let limit = ZRLEDecoder.maximumInflatedSize(of: Self.small, compactPixelSize: 3)
        #expect(limit == 1 + 127 * 3 + 4 * 4)
        Self.expectMalformed(Self.payload([UInt8](repeating: 0, count: limit + 1)), rect: Self.small, containing: "inflates past")
        // At the limit it is only trailing garbage.
        Self.expectMalformed(Self.payload([1] + Self.a + [UInt8](repeating: 0, count: limit - 4)), rect: Self.small,
                             containing: "after the last tile")
    }

    @Test func paletteIndexOutOfRange() {
        Self.expectMalformed(Self.payload([3] + Self.a + Self.b + Self.c + [0b1100_0000, 0]), rect: Self.small,
                             containing: "packed palette index 3 outside a palette of 3")
        Self.expectMalformed(Self.payload([130] + Self.a + Self.b + [0x02]), rect: Self.small,
                             containing: "palette-RLE index 2 outside a palette of 2")
        Self.expectMalformed(Self.payload([130] + Self.a + Self.b + [0xff, 0]), rect: Self.small,
                             containing: "palette-RLE index 127 outside")
    }

    @Test func runPastTheTileEnd() {
        Self.expectMalformed(Self.payload([128] + Self.a + [4]), rect: Self.small, containing: "overflows the tile")
        Self.expectMalformed(Self.payload([128] + Self.a + [1] + Self.b + [2]), rect: Self.small, containing: "overflows the tile")
        Self.expectMalformed(Self.payload([131] + Self.a + Self.b + Self.c + [0x80, 2, 0x82, 1]), rect: Self.small,
                             containing: "overflows the tile")
        // A long chain of 255s stops as soon as it passes the tile, not at the end of the chain.
        Self.expectMalformed(Self.payload([128] + Self.a + [UInt8](repeating: 255, count: 5000)),
                             rect: Rect(x: 0, y: 0, width: 64, height: 64), containing: "overflows the tile")
    }

    @Test func undefinedSubencodingsAndTrailingGarbage() {
        for sub: UInt8 in [17, 100, 127, 129] {
            Self.expectMalformed(Self.payload([sub] + Self.a + Self.b), rect: Self.small, containing: "subencoding \(sub) is not defined")
        }
        Self.expectMalformed(Self.payload([1] + Self.a + [0]), rect: Self.small, containing: "1 bytes after the last tile")
    }

    @Test func rectOutsideTheFramebuffer() {
        Self.expectMalformed(Self.payload([1] + Self.a), rect: Rect(x: 69, y: 0, width: 2, height: 2), containing: "outside the framebuffer")
    }
}
