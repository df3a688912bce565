import Geometry
import NIOCore
import Pixels
import RFB

/// Decodes CopyRect rectangles (RFC 6143 §7.7.2): the payload is the U16 source position, and the
/// viewer copies the rectangle's size from there to the rectangle, as if through a temporary
/// buffer when the two overlap (`PixelBuffer.copy` handles that).
public struct CopyRectDecoder: RectangleDecoder {
    public init() {}

    public var encoding: Encoding { .copyRect }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        try requireInside(rect, of: framebuffer)
        guard let sourceX = input.getInteger(at: input.readerIndex, as: UInt16.self),
              let sourceY = input.getInteger(at: input.readerIndex + 2, as: UInt16.self) else {
            throw .needMoreData
        }
        let source = Rect(x: Int(sourceX), y: Int(sourceY), width: rect.width, height: rect.height)
        guard framebuffer.bounds.contains(source) else {
            throw .malformed("CopyRect source \(source) lies outside the \(framebuffer.width)x\(framebuffer.height) framebuffer")
        }
        framebuffer.copy(source, to: rect.origin)
        input.moveReaderIndex(forwardBy: 4)
    }
}
