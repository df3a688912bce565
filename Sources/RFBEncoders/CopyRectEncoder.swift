import Geometry
import NIOCore
import RFB

/// The CopyRect encoding (RFC 6143 §7.7.2): tells the viewer to copy a rectangle of its own
/// framebuffer from `source` to the destination rectangle. The payload is just the source
/// position (two U16), so moving a window costs 16 bytes whatever its size.
///
/// CopyRect does not conform to `FramebufferEncoder`: that protocol encodes the pixels of a
/// damaged rectangle, while a CopyRect describes a move (destination plus source position) that
/// only the code tracking copies (the scanout's damage, a compositor's scroll) knows about. There
/// is nothing to read from the frame and no pixel format involved, so it is a static function.
public enum CopyRectEncoder {
    /// The encoding number written in the rectangle header.
    public static let encoding = Encoding.copyRect

    /// Writes one CopyRect rectangle that copies the `destination.size` pixels at `source` to
    /// `destination`; returns the number of rectangles written (always 1). Source and destination
    /// may overlap: the viewer must copy as if through a temporary buffer.
    @discardableResult
    public static func encode(destination: Rect, source: Point, into output: inout ByteBuffer) -> Int {
        precondition(source.x >= 0 && source.x <= 0xffff && source.y >= 0 && source.y <= 0xffff,
                     "CopyRect source \(source) does not fit in U16 coordinates")
        output.writeRectangleHeader(destination, encoding: encoding)
        output.writeInteger(UInt16(source.x))
        output.writeInteger(UInt16(source.y))
        return 1
    }
}
