import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport

/// Hextile (RFC 6143 §7.7.4) encoded and decoded back, the encoder's tile choices and the
/// decoder's checks.
struct HextileRoundTripTests {
    static let frameSize = Size(width: 200, height: 150)

    @Test(arguments: TestImages.formats, TestPicture.screenLike)
    func formatMatrix(format: PixelFormat, picture: TestPicture) {
        let source = picture.make(Self.frameSize)
        var encoder = HextileEncoder()
        RoundTrip.check(&encoder, Rect(x: 13, y: 9, width: 170, height: 120), of: source, format: format)
        RoundTrip.check(&encoder, source.bounds, of: source, format: format)
    }

    @Test(arguments: EdgeCase.all, TestImages.formats)
    func edgeSizes(edge: EdgeCase, format: PixelFormat) {
        for picture in TestPicture.allCases {
            var encoder = HextileEncoder()
            RoundTrip.check(&encoder, edge.rect, of: picture.make(edge.frame), format: format)
        }
    }

    @Test(arguments: TestImages.formats, [TestPicture.desktop, .twoColour, .random])
    func byteByByte(format: PixelFormat, picture: TestPicture) {
        let source = picture.make(Size(width: 48, height: 32))
        let rect = Rect(x: 9, y: 3, width: 30, height: 20)
        var encoder = HextileEncoder()
        let (bytes, _) = RoundTrip.encode(&encoder, rect, of: source, format: format)
        RoundTrip.checkByteByByte(bytes, format: format, frame: source.size,
                                  expected: RoundTrip.expected(source, rect: rect, format: format))
    }

    /// The payload after the 12-byte header.
    private func payload(_ bytes: ByteBuffer) -> [UInt8] { Array(bytes.readableBytesView.dropFirst(12)) }

    @Test(arguments: TestImages.formats)
    func solidRectSpecifiesTheBackgroundOnceThenOneBytePerTile(format: PixelFormat) {
        let source = PixelBuffer(width: 64, height: 64, fill: 0x0012_3456)
        var encoder = HextileEncoder()
        let bytes = RoundTrip.check(&encoder, source.bounds, of: source, format: format)
        let data = payload(bytes)
        #expect(data.count == 1 + format.bytesPerPixel + 15)
        #expect(data.first == 2)
        #expect(data.suffix(15).allSatisfy { $0 == 0 })
    }

    @Test(arguments: TestImages.formats)
    func noisyTilesAreRaw(format: PixelFormat) {
        let source = TestImages.random(width: 40, height: 20)
        var encoder = HextileEncoder()
        let bytes = RoundTrip.check(&encoder, source.bounds, of: source, format: format)
        let tiles = source.bounds.tiles(width: 16, height: 16)
        #expect(payload(bytes).count == tiles.reduce(0) { $0 + 1 + $1.area * format.bytesPerPixel })
    }

    @Test func backgroundIsSpecifiedAgainAfterARawTile() {
        // Tile 0 and 2 solid white, tile 1 noise: tile 2 may not rely on tile 0's background.
        var source = PixelBuffer(width: 48, height: 16, fill: 0x00ff_ffff)
        source.blit(TestImages.random(width: 16, height: 16), at: Point(x: 16, y: 0))
        var encoder = HextileEncoder()
        let data = payload(RoundTrip.check(&encoder, source.bounds, of: source, format: .xrgb8888))
        #expect(data.count == 5 + (1 + 1024) + 5)
        #expect(Array(data.prefix(5)) == [2, 0xff, 0xff, 0xff, 0])
        #expect(data[5] == 1)
        #expect(Array(data.suffix(5)) == [2, 0xff, 0xff, 0xff, 0])
    }

    @Test func foregroundIsSpecifiedAgainAfterAColouredTile() {
        var source = PixelBuffer(width: 32, height: 16, fill: 0x00ff_ffff)
        source.fill(Rect(x: 2, y: 3, width: 2, height: 2), with: 0x00ff_0000)
        source.fill(Rect(x: 8, y: 8, width: 2, height: 2), with: 0x0000_ff00)
        source.fill(Rect(x: 20, y: 5, width: 2, height: 2), with: 0x0000_00ff)
        var encoder = HextileEncoder()
        let data = payload(RoundTrip.check(&encoder, source.bounds, of: source, format: .xrgb8888))
        #expect(data == [
            2 | 8 | 16, 0xff, 0xff, 0xff, 0, 2,  // background white, two coloured subrectangles
            0, 0, 0xff, 0, 0x23, 0x11,           // red 2x2 at (2,3)
            0, 0xff, 0, 0, 0x88, 0x11,           // green 2x2 at (8,8)
            8 | 4, 0xff, 0, 0, 0, 1,             // same background, foreground blue, one subrectangle
            0x45, 0x11,                          // 2x2 at (4,5)
        ])
    }

    @Test func twoColourTilesCarryBothColours() {
        var source = PixelBuffer(width: 32, height: 16, fill: 0)
        source.fill(Rect(x: 1, y: 1, width: 3, height: 1), with: 0x00ff_ffff)
        source.fill(Rect(x: 17, y: 2, width: 1, height: 4), with: 0x00ff_ffff)
        var encoder = HextileEncoder()
        let data = payload(RoundTrip.check(&encoder, source.bounds, of: source, format: .bgr233))
        #expect(data == [
            2 | 4 | 8, 0x00, 0xff, 1, 0x11, 0x20,  // black background, white foreground (BGR233), 3x1 at (1,1)
            8, 1, 0x12, 0x03,                      // both carried: 1x4 at (1,2)
        ])
    }

    // MARK: - Decoder checks on hand-made payloads (XRGB8888, 4 bytes per pixel)

    private let white: [UInt8] = [0xff, 0xff, 0xff, 0]
    private let red: [UInt8] = [0, 0, 0xff, 0]

    private func decode(_ bytes: [UInt8], rect: Rect, framebuffer: inout PixelBuffer) -> (Result<Void, RectangleDecodingError>, ByteBuffer) {
        RoundTrip.decodePayload(bytes, rect: rect, encoding: .hextile, format: .xrgb8888, into: &framebuffer)
    }

    private func expectMalformed(_ bytes: [UInt8], rect: Rect, containing text: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        var framebuffer = PixelBuffer(width: 64, height: 64, fill: RoundTrip.sentinel)
        let (result, buffer) = decode(bytes, rect: rect, framebuffer: &framebuffer)
        guard case .malformed(let why) = result.error else {
            Issue.record("expected malformed, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(why.contains(text), "\(why)", sourceLocation: sourceLocation)
        #expect(buffer.readerIndex == 0, sourceLocation: sourceLocation)
        #expect(framebuffer == PixelBuffer(width: 64, height: 64, fill: RoundTrip.sentinel), "nothing drawn", sourceLocation: sourceLocation)
    }

    @Test func subrectangleOutsideANarrowTileIsMalformed() {
        // A 20x16 rect has a 16x16 and a 4x16 tile; x 3 + width 2 does not fit the second.
        expectMalformed([2] + white + [8 | 4] + red + [1, 0x30, 0x10], rect: Rect(x: 3, y: 2, width: 20, height: 16),
                        containing: "outside")
    }

    @Test func subrectangleBelowAShortTileIsMalformed() {
        expectMalformed([2 | 8 | 16] + white + [1] + red + [0x0f, 0x00], rect: Rect(x: 0, y: 0, width: 16, height: 10), containing: "outside")
    }

    @Test func firstNonRawTileWithoutBackgroundIsMalformed() {
        expectMalformed([0], rect: Rect(x: 0, y: 0, width: 8, height: 8), containing: "background")
        expectMalformed([8, 0], rect: Rect(x: 0, y: 0, width: 8, height: 8), containing: "background")
    }

    @Test func singleColourSubrectanglesWithoutForegroundAreMalformed() {
        expectMalformed([2 | 8] + white + [1, 0x00, 0x00], rect: Rect(x: 0, y: 0, width: 8, height: 8), containing: "foreground")
    }

    @Test func unknownSubencodingBitsAreMalformed() {
        expectMalformed([0x20], rect: Rect(x: 0, y: 0, width: 8, height: 8), containing: "subencoding")
        expectMalformed([0xff], rect: Rect(x: 0, y: 0, width: 8, height: 8), containing: "subencoding")
    }

    @Test func rectOutsideTheFramebufferIsMalformed() {
        expectMalformed([2] + white, rect: Rect(x: 60, y: 60, width: 8, height: 8), containing: "outside")
    }

    @Test func coloursCarryOverARawTile() {
        // Tile 0 sets a red background, tile 1 is raw, tile 2 reuses red: accepted as TigerVNC does.
        var framebuffer = PixelBuffer(width: 48, height: 1)
        let bytes = [2] + red + [1] + [UInt8](repeating: 0xff, count: 16 * 4) + [0]
        let (result, buffer) = decode(bytes, rect: Rect(x: 0, y: 0, width: 48, height: 1), framebuffer: &framebuffer)
        #expect(result.error == nil)
        #expect(buffer.readableBytes == 0)
        #expect(framebuffer[40, 0] == 0x00ff_0000)
        #expect(framebuffer[20, 0] == 0x00ff_ffff)
    }

    @Test func everyTruncationNeedsMoreData() {
        let source = TestPicture.desktop.make(Size(width: 40, height: 40))
        var encoder = HextileEncoder()
        let (bytes, _) = RoundTrip.encode(&encoder, source.bounds, of: source, format: .rgb565)
        let data = payload(bytes)
        for length in 0..<data.count {
            var framebuffer = PixelBuffer(width: 40, height: 40, fill: RoundTrip.sentinel)
            let (result, buffer) = RoundTrip.decodePayload(Array(data.prefix(length)), rect: source.bounds,
                                                           encoding: .hextile, format: .rgb565, into: &framebuffer)
            #expect(result.error == .needMoreData)
            #expect(buffer.readerIndex == 0)
            #expect(framebuffer == PixelBuffer(width: 40, height: 40, fill: RoundTrip.sentinel))
        }
    }
}
