import Geometry
import NIOCore
import Pixels
import RFB

/// Decodes Raw rectangles (RFC 6143 §7.7.1): `width * height` pixels in the negotiated format,
/// row by row.
public struct RawDecoder: RectangleDecoder {
    public init() {}

    public var encoding: Encoding { .raw }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        let reader = try WirePixelReader(format: format)
        try requireInside(rect, of: framebuffer)
        guard !rect.isEmpty else { return }
        // The rect is inside the framebuffer, so this product cannot overflow.
        let length = rect.width * rect.height * reader.bytesPerPixel
        guard input.readableBytes >= length else { throw .needMoreData }
        input.withUnsafeReadableBytes { bytes in
            framebuffer.withCanvas { canvas in
                canvas.drawPixels(rect, from: bytes.baseAddress!, reader: reader)
            }
        }
        input.moveReaderIndex(forwardBy: length)
    }
}
