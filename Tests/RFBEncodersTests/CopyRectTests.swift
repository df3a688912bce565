import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport

/// CopyRect (RFC 6143 §7.7.2): encoded moves decoded onto a picture must match
/// `PixelBuffer.copy`, overlapping moves included.
struct CopyRectTests {
    struct Move: Sendable, CustomStringConvertible {
        var destination: Rect
        var source: Point
        var description: String { "\(source) -> \(destination)" }
    }

    static let moves: [Move] = [
        Move(destination: Rect(x: 30, y: 20, width: 20, height: 15), source: Point(x: 2, y: 3)),   // apart
        Move(destination: Rect(x: 10, y: 14, width: 30, height: 20), source: Point(x: 10, y: 10)), // down, overlapping
        Move(destination: Rect(x: 10, y: 6, width: 30, height: 20), source: Point(x: 10, y: 10)),  // up, overlapping
        Move(destination: Rect(x: 15, y: 10, width: 30, height: 20), source: Point(x: 10, y: 10)), // right, overlapping
        Move(destination: Rect(x: 5, y: 10, width: 30, height: 20), source: Point(x: 10, y: 10)),  // left, overlapping
        Move(destination: Rect(x: 13, y: 13, width: 30, height: 20), source: Point(x: 10, y: 10)), // diagonal
        Move(destination: Rect(x: 10, y: 10, width: 30, height: 20), source: Point(x: 10, y: 10)), // in place
        Move(destination: Rect(x: 0, y: 0, width: 64, height: 47), source: Point(x: 0, y: 1)),     // full-width scroll
        Move(destination: Rect(x: 63, y: 47, width: 1, height: 1), source: Point(x: 0, y: 0)),     // one pixel, far corner
    ]

    @Test(arguments: moves)
    func decodedMoveMatchesPixelBufferCopy(move: Move) throws {
        var output = ByteBuffer()
        #expect(CopyRectEncoder.encode(destination: move.destination, source: move.source, into: &output) == 1)
        #expect(output.readableBytes == 16)
        let picture = TestImages.random(width: 64, height: 48)
        var want = picture
        want.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin)
        var decoded = picture
        let headers = try RoundTrip.decode(output, rectangles: 1, format: .rgb565, into: &decoded)
        #expect(headers.first?.encoding == .copyRect)
        #expect(headers.first?.rect == move.destination)
        #expect(decoded == want)
    }

    @Test func wireLayoutIsHeaderThenSourcePosition() {
        var output = ByteBuffer()
        CopyRectEncoder.encode(destination: Rect(x: 1, y: 2, width: 3, height: 4), source: Point(x: 0x0102, y: 0x0304), into: &output)
        #expect(Array(output.readableBytesView) == [0, 1, 0, 2, 0, 3, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4])
    }

    @Test func byteByByte() {
        var output = ByteBuffer()
        let move = Self.moves[1]
        CopyRectEncoder.encode(destination: move.destination, source: move.source, into: &output)
        let picture = TestImages.random(width: 64, height: 48)
        var want = picture
        want.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin)
        var framebuffer = picture
        var payload = output
        payload.moveReaderIndex(forwardBy: 12)
        var fed = ByteBuffer()
        var decoder = CopyRectDecoder()
        for (index, byte) in payload.readableBytesView.enumerated() {
            fed.writeInteger(byte)
            do {
                try decoder.decode(move.destination, from: &fed, format: .xrgb8888, into: &framebuffer)
                #expect(index == 3)
            } catch {
                #expect(error == .needMoreData)
                #expect(fed.readerIndex == 0)
                #expect(framebuffer == picture)
            }
        }
        #expect(fed.readableBytes == 0)
        #expect(framebuffer == want)
    }

    @Test func sourceOutsideTheFramebufferIsMalformed() {
        var framebuffer = TestImages.random(width: 64, height: 48)
        let before = framebuffer
        let (result, buffer) = RoundTrip.decodePayload([0, 40, 0, 30], rect: Rect(x: 0, y: 0, width: 30, height: 20),
                                                       encoding: .copyRect, format: .xrgb8888, into: &framebuffer)
        guard case .malformed = result.error else { Issue.record("expected malformed, got \(result)"); return }
        #expect(buffer.readerIndex == 0)
        #expect(framebuffer == before)
    }

    @Test func destinationOutsideTheFramebufferIsMalformed() {
        var framebuffer = TestImages.random(width: 64, height: 48)
        let (result, _) = RoundTrip.decodePayload([0, 0, 0, 0], rect: Rect(x: 50, y: 0, width: 30, height: 20),
                                                  encoding: .copyRect, format: .xrgb8888, into: &framebuffer)
        guard case .malformed = result.error else { Issue.record("expected malformed, got \(result)"); return }
    }
}
