import Geometry
import NIOCore
import Pixels
import RFB

/// Decodes RRE rectangles (RFC 6143 §7.7.3): a U32 subrectangle count, the background pixel, then
/// per subrectangle a pixel and U16 x, y, width, height relative to the rectangle.
///
/// Every subrectangle is checked before anything is drawn, so malformed input leaves the
/// framebuffer as it was.
public struct RREDecoder: RectangleDecoder {
    public init() {}

    public var encoding: Encoding { .rre }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        let reader = try WirePixelReader(format: format)
        try requireInside(rect, of: framebuffer)
        guard let count = input.getInteger(at: input.readerIndex, as: UInt32.self) else { throw .needMoreData }
        // More subrectangles than pixels can only be padding or an attack: refuse it before waiting
        // for (or reserving) gigabytes.
        guard Int(count) <= rect.area else {
            throw .malformed("RRE rectangle \(rect) claims \(count) subrectangles, more than its \(rect.area) pixels")
        }
        let bytesPerPixel = reader.bytesPerPixel
        let bytesPerSubrectangle = bytesPerPixel + 8
        let length = 4 + bytesPerPixel + Int(count) * bytesPerSubrectangle
        guard input.readableBytes >= length else { throw .needMoreData }

        let outcome: RectangleDecodingError? = input.withUnsafeReadableBytes { bytes in
            let subrectangles = bytes.baseAddress! + 4 + bytesPerPixel
            func subrectangle(_ index: Int) -> (colour: UnsafeRawPointer, rect: Rect) {
                let p = subrectangles + index * bytesPerSubrectangle
                func u16(_ offset: Int) -> Int { Int(UInt16(bigEndian: (p + bytesPerPixel + offset).loadUnaligned(as: UInt16.self))) }
                return (p, Rect(x: u16(0), y: u16(2), width: u16(4), height: u16(6)))
            }
            let local = Rect(size: rect.size)
            for index in 0..<Int(count) {
                let sub = subrectangle(index).rect
                guard local.contains(sub) else {
                    return .malformed("RRE subrectangle \(sub) lies outside its \(rect.width)x\(rect.height) rectangle")
                }
            }
            guard !rect.isEmpty else { return nil }
            framebuffer.withCanvas { canvas in
                canvas.fill(rect, with: reader.canonical(at: bytes.baseAddress! + 4))
                for index in 0..<Int(count) {
                    let (colour, sub) = subrectangle(index)
                    guard !sub.isEmpty else { continue }
                    canvas.fill(sub.offsetBy(dx: rect.x, dy: rect.y), with: reader.canonical(at: colour))
                }
            }
            return nil
        }
        if let outcome { throw outcome }
        input.moveReaderIndex(forwardBy: length)
    }
}
