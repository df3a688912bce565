import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport

/// Raw (RFC 6143 §7.7.1) encoded and decoded back, in every test format.
struct RawRoundTripTests {
    static let frameSize = Size(width: 200, height: 150)

    @Test(arguments: TestImages.formats, TestPicture.screenLike)
    func formatMatrix(format: PixelFormat, picture: TestPicture) {
        let source = picture.make(Self.frameSize)
        var encoder = RawEncoder()
        RoundTrip.check(&encoder, Rect(x: 13, y: 9, width: 170, height: 120), of: source, format: format)
        RoundTrip.check(&encoder, source.bounds, of: source, format: format)
    }

    @Test(arguments: EdgeCase.all, TestImages.formats)
    func edgeSizes(edge: EdgeCase, format: PixelFormat) {
        for picture in TestPicture.allCases {
            var encoder = RawEncoder()
            RoundTrip.check(&encoder, edge.rect, of: picture.make(edge.frame), format: format)
        }
    }

    @Test(arguments: TestImages.formats)
    func byteByByte(format: PixelFormat) {
        let source = TestPicture.desktop.make(Size(width: 48, height: 32))
        let rect = Rect(x: 9, y: 3, width: 30, height: 20)
        var encoder = RawEncoder()
        let (bytes, _) = RoundTrip.encode(&encoder, rect, of: source, format: format)
        RoundTrip.checkByteByByte(bytes, format: format, frame: source.size,
                                  expected: RoundTrip.expected(source, rect: rect, format: format))
    }

    @Test func identityFormatIsTheLittleEndianPixels() {
        let source = TestImages.random(width: 7, height: 5)
        var encoder = RawEncoder()
        let rect = Rect(x: 2, y: 1, width: 4, height: 3)
        var (bytes, count) = RoundTrip.encode(&encoder, rect, of: source, format: .xrgb8888)
        #expect(count == 1)
        #expect(bytes.readableBytes == 12 + 4 * 3 * 4)
        bytes.moveReaderIndex(forwardBy: 12)
        var want: [UInt8] = []
        for y in rect.minY..<rect.maxY {
            for x in rect.minX..<rect.maxX { withUnsafeBytes(of: source[x, y].littleEndian) { want += $0 } }
        }
        #expect(Array(bytes.readableBytesView) == want)
    }

    @Test func bigEndian16BitPixelsAreWrittenHighByteFirst() {
        let format = TestImages.formats[4]
        let source = PixelBuffer(width: 1, height: 1, fill: 0x00ff_0000)
        var encoder = RawEncoder()
        var (bytes, _) = RoundTrip.encode(&encoder, source.bounds, of: source, format: format)
        bytes.moveReaderIndex(forwardBy: 12)
        // Red 31 << 10 = 0x7c00.
        #expect(Array(bytes.readableBytesView) == [0x7c, 0x00])
    }

    @Test func emptyRectHasOnlyAHeader() {
        let source = TestImages.random(width: 8, height: 8)
        var encoder = RawEncoder()
        let rect = Rect(x: 3, y: 3, width: 0, height: 5)
        let (bytes, count) = RoundTrip.encode(&encoder, rect, of: source, format: .rgb565)
        #expect(count == 1 && bytes.readableBytes == 12)
        var framebuffer = PixelBuffer(width: 8, height: 8, fill: RoundTrip.sentinel)
        #expect(throws: Never.self) { try RoundTrip.decode(bytes, rectangles: 1, format: .rgb565, into: &framebuffer) }
        #expect(framebuffer == PixelBuffer(width: 8, height: 8, fill: RoundTrip.sentinel))
    }

    @Test func truncatedDataNeedsMoreAndLeavesInputAlone() {
        var framebuffer = PixelBuffer(width: 4, height: 4)
        let (result, buffer) = RoundTrip.decodePayload([UInt8](repeating: 1, count: 4 * 4 * 2 - 1), rect: Rect(x: 0, y: 0, width: 4, height: 4),
                                                       encoding: .raw, format: .rgb565, into: &framebuffer)
        #expect(result.error == .needMoreData)
        #expect(buffer.readerIndex == 0)
        #expect(framebuffer == PixelBuffer(width: 4, height: 4))
    }

    @Test func rectOutsideTheFramebufferIsMalformed() {
        var framebuffer = PixelBuffer(width: 4, height: 4)
        let (result, _) = RoundTrip.decodePayload([UInt8](repeating: 0, count: 64), rect: Rect(x: 2, y: 2, width: 3, height: 1),
                                                  encoding: .raw, format: .xrgb8888, into: &framebuffer)
        guard case .malformed = result.error else { Issue.record("expected malformed, got \(result)"); return }
    }

    @Test func unusablePixelFormatIsMalformed() {
        var framebuffer = PixelBuffer(width: 4, height: 4)
        var format = PixelFormat.xrgb8888
        format.bitsPerPixel = 24
        let (result, _) = RoundTrip.decodePayload([UInt8](repeating: 0, count: 64), rect: Rect(x: 0, y: 0, width: 1, height: 1),
                                                  encoding: .raw, format: format, into: &framebuffer)
        guard case .malformed = result.error else { Issue.record("expected malformed, got \(result)"); return }
        format = .rgb565
        format.greenMax = 0
        let (zeroMax, _) = RoundTrip.decodePayload([0, 0], rect: Rect(x: 0, y: 0, width: 1, height: 1),
                                                   encoding: .raw, format: format, into: &framebuffer)
        guard case .malformed = zeroMax.error else { Issue.record("expected malformed, got \(zeroMax)"); return }
    }
}
