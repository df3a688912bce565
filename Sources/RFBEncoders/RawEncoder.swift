import Geometry
import NIOCore
import Pixels
import RFB

/// The Raw encoding (RFC 6143 §7.7.1): the rectangle's pixels, row by row, in the viewer's pixel
/// format. Every viewer must support it, so it is the fallback for everything else.
///
/// Raw needs no state; when the viewer keeps Porthole's own XRGB8888 format every row is a plain
/// memory copy.
public struct RawEncoder: FramebufferEncoder {
    public init() {}

    public var encoding: Encoding { .raw }

    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        precondition(frame.bounds.contains(rect), "rect \(rect) lies outside the frame")
        output.writeRectangleHeader(rect, encoding: .raw)
        Self.writePixels(rect, of: frame, translator: translator, into: &output)
        return 1
    }

    /// Writes the pixels of `rect` (no header) as Raw data: `width * height * bytesPerPixel` bytes.
    /// One reservation for the whole rectangle, then one `convert` (a memcpy for the identity
    /// format) per row.
    public static func writePixels(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                   into output: inout ByteBuffer) {
        guard !rect.isEmpty else { return }
        let rowBytes = rect.width * translator.bytesPerPixel
        let total = rowBytes * rect.height
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { destination in
            let base = destination.baseAddress!
            for row in 0..<rect.height {
                translator.convert(frame.row(rect.y + row) + rect.x, count: rect.width, into: base + row * rowBytes)
            }
            return total
        }
    }
}

/// Rectangles carry nothing from one to the next, so lanes encode with copies of the encoder.
extension RawEncoder: IndependentRectangleEncoder {}
