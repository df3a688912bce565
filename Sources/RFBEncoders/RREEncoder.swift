import Geometry
import NIOCore
import Pixels
import RFB

/// The RRE encoding (RFC 6143 §7.7.3): a background colour for the whole rectangle, then
/// solid-colour subrectangles (pixel value, then U16 x, y, width, height relative to the
/// rectangle) painted over it.
///
/// The background is the most common colour (counted on a sample for big rectangles); the
/// subrectangles come from `SubrectangleSearch`: horizontal runs of one colour, extended down
/// while the rows below repeat them.
///
/// Trade-off: RRE has no raw fallback inside the encoding, so on photographic or noisy content it
/// costs up to `bytesPerPixel + 8` bytes per pixel, about three to nine times Raw. This encoder
/// still writes valid RRE in that case, because a viewer that asked for RRE may get it for any
/// rectangle; choosing a better encoding for such content (Hextile, ZRLE, Tight) is the encoder
/// selection's job. The output is always correct, only its size varies.
public struct RREEncoder: FramebufferEncoder {
    private var search = SubrectangleSearch()
    private var values: [UInt32] = []

    public init() {}

    public var encoding: Encoding { .rre }

    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        precondition(frame.bounds.contains(rect), "rect \(rect) lies outside the frame")
        translatePixelValues(rect, of: frame, translator: translator, into: &values)
        var background: UInt32 = 0
        values.withUnsafeBufferPointer { pixels in
            background = mostCommonPixelValue(pixels)
            _ = search.search(pixels, width: rect.width, height: rect.height, background: background)
        }
        let subrectangles = search.found
        let bytesPerPixel = translator.bytesPerPixel
        output.writeRectangleHeader(rect, encoding: .rre)
        output.writeInteger(UInt32(subrectangles.count))
        let total = bytesPerPixel + subrectangles.count * (bytesPerPixel + 8)
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { destination in
            var p = storePixel(background, translator: translator, at: destination.baseAddress!)
            for subrectangle in subrectangles {
                p = storePixel(subrectangle.pixelValue, translator: translator, at: p)
                p = storeUInt16(subrectangle.x, at: p)
                p = storeUInt16(subrectangle.y, at: p)
                p = storeUInt16(subrectangle.width, at: p)
                p = storeUInt16(subrectangle.height, at: p)
            }
            return total
        }
        return 1
    }
}

/// Rectangles carry nothing from one to the next, so lanes encode with copies of the encoder.
extension RREEncoder: IndependentRectangleEncoder {}
