import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient

/// Raw (RFC 6143 §7.7.1) for these tests only, so that the client's tests do not depend on the
/// real decoders: width * height pixels in the client's format, row by row.
struct TestRawDecoder: RectangleDecoder {
    var encoding: Encoding { .raw }
    /// How often `decode` was asked, complete or not (to check that retries happen).
    var attempts = 0

    mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                         into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        attempts += 1
        let bytesPerPixel = format.bytesPerPixel
        guard input.readableBytes >= rect.area * bytesPerPixel else { throw .needMoreData }
        let bytes = input.readBytes(length: rect.area * bytesPerPixel)!
        bytes.withUnsafeBytes { raw in
            for row in 0..<rect.height {
                for column in 0..<rect.width {
                    let value = PixelTranslator.load(from: raw.baseAddress! + (row * rect.width + column) * bytesPerPixel, format: format)
                    framebuffer[rect.x + column, rect.y + row] = PixelTranslator.canonical(fromPixelValue: value, format: format)
                }
            }
        }
    }
}

/// A decoder that always finds its input malformed.
struct RefusingDecoder: RectangleDecoder {
    var encoding: Encoding { .hextile }
    mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                         into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        throw .malformed("subencoding 0xff is not defined")
    }
}

extension ByteBuffer {
    /// A Raw rectangle of `pixels` (canonical) at `rect`, in `format`, header included.
    mutating func writeTestRawRectangle(_ rect: Rect, pixels: PixelBuffer, format: PixelFormat) {
        writeRectangleHeader(RectangleHeader(rect: rect, encoding: .raw))
        let translator = PixelTranslator(format: format)
        var row = [UInt8](repeating: 0, count: rect.width * format.bytesPerPixel)
        for y in rect.minY..<rect.maxY {
            row.withUnsafeMutableBytes { out in
                for x in rect.minX..<rect.maxX {
                    translator.store(translator.pixelValue(pixels[x, y]), to: out.baseAddress! + (x - rect.minX) * format.bytesPerPixel)
                }
            }
            writeBytes(row)
        }
    }
}
