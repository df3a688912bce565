import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient

/// Wraps a real rectangle decoder and notes the header of every rectangle it decodes, because
/// `ClientStateMachine` reports only where pixels changed, and tests need to see how they were
/// sent (CopyRect or pixels, which rectangles).
struct RecordingDecoder: RectangleDecoder {
    var inner: any RectangleDecoder
    let tally: RectangleTally

    var encoding: Encoding { inner.encoding }

    mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                         into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        // Tight's compression-control byte says JpegCompression with 1001 in its top bits (rfbproto
        // "Tight Encoding"): the one lossy kind of rectangle.
        let control = inner.encoding == .tight ? input.getInteger(at: input.readerIndex, as: UInt8.self) : nil
        try inner.decode(rect, from: &input, format: format, into: &framebuffer)
        // Only a completed decode counts; `.needMoreData` retries the same rectangle later.
        tally.headers.append(RectangleHeader(rect: rect, encoding: inner.encoding))
        if let control, control >> 4 == 0x9 { tally.jpegRects.append(rect) }
    }

    /// `DecoderRegistry.all()`, each decoder wrapped to record into `tally`.
    static func all(recordingInto tally: RectangleTally) -> [Encoding: any RectangleDecoder] {
        DecoderRegistry.all().mapValues { RecordingDecoder(inner: $0, tally: tally) }
    }
}

/// The rectangle headers decoded since the last FramebufferUpdate ended. Touched only on the
/// viewer's event loop.
final class RectangleTally: @unchecked Sendable {
    var headers: [RectangleHeader] = []
    /// The Tight JPEG rectangles among them.
    var jpegRects: [Rect] = []

    func takeAll() -> [RectangleHeader] {
        defer { headers = [] }
        return headers
    }

    func takeJPEG() -> [Rect] {
        defer { jpegRects = [] }
        return jpegRects
    }
}
