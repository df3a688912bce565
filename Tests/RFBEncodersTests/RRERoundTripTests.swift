import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport

/// RRE (RFC 6143 §7.7.3) encoded and decoded back, the subrectangle search's output, and the
/// decoder's checks.
struct RRERoundTripTests {
    static let frameSize = Size(width: 200, height: 150)

    @Test(arguments: TestImages.formats, TestPicture.screenLike)
    func formatMatrix(format: PixelFormat, picture: TestPicture) {
        let source = picture.make(Self.frameSize)
        var encoder = RREEncoder()
        RoundTrip.check(&encoder, Rect(x: 13, y: 9, width: 170, height: 120), of: source, format: format)
        RoundTrip.check(&encoder, source.bounds, of: source, format: format)
    }

    @Test(arguments: EdgeCase.all, TestImages.formats)
    func edgeSizes(edge: EdgeCase, format: PixelFormat) {
        for picture in TestPicture.allCases {
            var encoder = RREEncoder()
            RoundTrip.check(&encoder, edge.rect, of: picture.make(edge.frame), format: format)
        }
    }

    @Test(arguments: TestImages.formats, [TestPicture.desktop, .twoColour])
    func byteByByte(format: PixelFormat, picture: TestPicture) {
        let source = picture.make(Size(width: 48, height: 32))
        let rect = Rect(x: 9, y: 3, width: 30, height: 20)
        var encoder = RREEncoder()
        let (bytes, _) = RoundTrip.encode(&encoder, rect, of: source, format: format)
        RoundTrip.checkByteByByte(bytes, format: format, frame: source.size,
                                  expected: RoundTrip.expected(source, rect: rect, format: format))
    }

    /// Reads the subrectangle count after the 12-byte header.
    private func subrectangleCount(_ bytes: ByteBuffer) -> UInt32? {
        bytes.getInteger(at: bytes.readerIndex + 12, as: UInt32.self)
    }

    @Test(arguments: TestImages.formats)
    func solidRectIsJustTheBackground(format: PixelFormat) {
        let source = PixelBuffer(width: 40, height: 30, fill: 0x0012_3456)
        var encoder = RREEncoder()
        let bytes = RoundTrip.check(&encoder, source.bounds, of: source, format: format)
        #expect(subrectangleCount(bytes) == 0)
        #expect(bytes.readableBytes == 12 + 4 + format.bytesPerPixel)
    }

    @Test func blockOnBackgroundIsOneSubrectangleWithRelativeCoordinates() {
        var source = PixelBuffer(width: 20, height: 20, fill: 0x00ff_ffff)
        source.fill(Rect(x: 7, y: 8, width: 3, height: 4), with: 0x00ff_0000)
        var encoder = RREEncoder()
        var bytes = RoundTrip.check(&encoder, Rect(x: 2, y: 3, width: 15, height: 15), of: source, format: .xrgb8888)
        bytes.moveReaderIndex(forwardBy: 12)
        #expect(Array(bytes.readableBytesView) == [
            0, 0, 0, 1,             // one subrectangle
            0xff, 0xff, 0xff, 0,    // white background (little-endian XRGB)
            0, 0, 0xff, 0,          // red
            0, 5, 0, 5, 0, 3, 0, 4, // x 5, y 5 relative to (2,3); 3x4
        ])
    }

    @Test func verticalAndHorizontalLinesAreOneSubrectangleEach() {
        var source = PixelBuffer(width: 30, height: 30, fill: 0)
        source.fill(Rect(x: 4, y: 2, width: 1, height: 25), with: 0x00ff_ff00)
        source.fill(Rect(x: 6, y: 10, width: 20, height: 1), with: 0x0000_ff00)
        var encoder = RREEncoder()
        let bytes = RoundTrip.check(&encoder, source.bounds, of: source, format: .rgb565)
        #expect(subrectangleCount(bytes) == 2)
    }

    @Test func coloursTheFormatCannotTellApartShareASubrectangle() {
        // 0x010101 and 0x020202 both quantize to black in BGR233.
        var source = PixelBuffer(width: 10, height: 10, fill: 0x00ff_ffff)
        source.fill(Rect(x: 0, y: 0, width: 5, height: 5), with: 0x0001_0101)
        source.fill(Rect(x: 5, y: 0, width: 5, height: 5), with: 0x0002_0202)
        var encoder = RREEncoder()
        let bytes = RoundTrip.check(&encoder, source.bounds, of: source, format: .bgr233)
        #expect(subrectangleCount(bytes) == 1)
    }

    /// Builds an RRE payload in XRGB8888 with a black background.
    private func payload(count: UInt32, subrectangles: [(x: UInt16, y: UInt16, w: UInt16, h: UInt16)]) -> [UInt8] {
        var b = ByteBuffer()
        b.writeInteger(count)
        b.writeBytes([0, 0, 0, 0])
        for s in subrectangles {
            b.writeBytes([0xff, 0xff, 0xff, 0])
            b.writeInteger(s.x); b.writeInteger(s.y); b.writeInteger(s.w); b.writeInteger(s.h)
        }
        return Array(b.readableBytesView)
    }

    @Test(arguments: [(UInt16(3), UInt16(0), UInt16(2), UInt16(1)), (0, 3, 1, 2), (4, 0, 1, 1), (0, 0, 5, 4), (0xffff, 0xffff, 2, 2)])
    func subrectangleOutsideTheRectIsMalformed(x: UInt16, y: UInt16, w: UInt16, h: UInt16) {
        var framebuffer = PixelBuffer(width: 10, height: 10, fill: RoundTrip.sentinel)
        let bytes = payload(count: 2, subrectangles: [(0, 0, 1, 1), (x, y, w, h)])
        let (result, buffer) = RoundTrip.decodePayload(bytes, rect: Rect(x: 1, y: 1, width: 4, height: 4),
                                                       encoding: .rre, format: .xrgb8888, into: &framebuffer)
        guard case .malformed = result.error else { Issue.record("expected malformed, got \(result)"); return }
        #expect(buffer.readerIndex == 0)
        #expect(framebuffer == PixelBuffer(width: 10, height: 10, fill: RoundTrip.sentinel), "nothing drawn")
    }

    @Test func moreSubrectanglesThanPixelsIsMalformedBeforeTheDataArrives() {
        var framebuffer = PixelBuffer(width: 10, height: 10)
        for count: UInt32 in [17, 0xffff_ffff] {
            var header = ByteBuffer()
            header.writeInteger(count)
            let (result, _) = RoundTrip.decodePayload(Array(header.readableBytesView), rect: Rect(x: 0, y: 0, width: 4, height: 4),
                                                      encoding: .rre, format: .xrgb8888, into: &framebuffer)
            guard case .malformed = result.error else { Issue.record("expected malformed for \(count), got \(result)"); return }
        }
    }

    @Test func everyTruncationNeedsMoreData() {
        let bytes = payload(count: 2, subrectangles: [(0, 0, 1, 1), (1, 2, 3, 2)])
        for length in 0..<bytes.count {
            var framebuffer = PixelBuffer(width: 10, height: 10)
            let (result, buffer) = RoundTrip.decodePayload(Array(bytes.prefix(length)), rect: Rect(x: 1, y: 1, width: 4, height: 4),
                                                           encoding: .rre, format: .xrgb8888, into: &framebuffer)
            #expect(result.error == .needMoreData)
            #expect(buffer.readerIndex == 0)
        }
    }

    @Test func zeroSizedSubrectanglesAreAcceptedAndDrawNothing() {
        var framebuffer = PixelBuffer(width: 10, height: 10, fill: RoundTrip.sentinel)
        let bytes = payload(count: 1, subrectangles: [(4, 4, 0, 0)])
        let (result, buffer) = RoundTrip.decodePayload(bytes, rect: Rect(x: 1, y: 1, width: 4, height: 4),
                                                       encoding: .rre, format: .xrgb8888, into: &framebuffer)
        #expect(result.error == nil)
        #expect(buffer.readableBytes == 0)
        var want = PixelBuffer(width: 10, height: 10, fill: RoundTrip.sentinel)
        want.fill(Rect(x: 1, y: 1, width: 4, height: 4), with: 0)
        #expect(framebuffer == want)
    }
}
