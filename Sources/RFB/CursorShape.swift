import Geometry
import NIOCore
import Pixels

/// A cursor image as the Cursor pseudo-encoding carries it (RFC 6143 §7.8.1, rfbproto "Cursor
/// Pseudo-encoding"): canonical XRGB8888 pixels, row-major, and a bitmask whose rows are padded to
/// whole bytes, most significant bit leftmost, 1 meaning the pixel belongs to the cursor.
public struct CursorShape: Hashable, Sendable {
    /// The point of the image that sits on the pointer position.
    public var hotspot: Point
    public var size: Size
    /// `size.width * size.height` canonical pixels.
    public var pixels: [UInt32]
    /// `bytesPerMaskRow * size.height` bytes.
    public var mask: [UInt8]

    /// - Precondition: the pixel and mask counts match the size.
    public init(hotspot: Point, size: Size, pixels: [UInt32], mask: [UInt8]) {
        precondition(size.width >= 0 && size.height >= 0 && pixels.count == size.area
                     && mask.count == Self.maskLength(for: size), "cursor data does not match its size")
        self.hotspot = hotspot; self.size = size; self.pixels = pixels; self.mask = mask
    }

    /// floor((width + 7) / 8).
    public static func bytesPerMaskRow(width: Int) -> Int { (width + 7) / 8 }
    public static func maskLength(for size: Size) -> Int { bytesPerMaskRow(width: size.width) * size.height }

    /// Whether the pixel at (x, y) is part of the cursor.
    public func isOpaque(x: Int, y: Int) -> Bool {
        mask[y * Self.bytesPerMaskRow(width: size.width) + x / 8] & (0x80 >> UInt8(x % 8)) != 0
    }

    /// An invisible cursor: rfbproto lets a server hide the cursor with a 0x0 shape.
    public static let hidden = CursorShape(hotspot: .zero, size: Size(width: 0, height: 0), pixels: [], mask: [])
}

extension ByteBuffer {
    /// Writes a Cursor pseudo-rectangle (RFC 6143 §7.8.1): header with the hotspot as x, y and
    /// the size, then the pixels in the viewer's format (`translator`) and the bitmask.
    public mutating func writeCursor(_ shape: CursorShape, translator: PixelTranslator) {
        writeRectangleHeader(RectangleHeader(rect: Rect(origin: shape.hotspot, size: shape.size), encoding: .cursor))
        let bytesPerPixel = translator.bytesPerPixel
        let length = shape.pixels.count * bytesPerPixel
        if length > 0 {
            reserveCapacity(minimumWritableBytes: length)
            let written = writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
                shape.pixels.withUnsafeBufferPointer { source in
                    translator.convert(source.baseAddress!, count: source.count, into: out.baseAddress!)
                }
                return length
            }
            precondition(written == length)
        }
        writeBytes(shape.mask)
    }

    /// Writes an XCursor pseudo-rectangle (rfbproto "X Cursor Pseudo-encoding"): header with the
    /// hotspot and size; for a non-empty cursor the foreground and background as three U8 (red,
    /// green, blue) each, then the bitmap and the bitmask. A 0x0 cursor has no payload.
    public mutating func writeXCursor(_ shape: XCursorShape) {
        writeRectangleHeader(RectangleHeader(rect: Rect(origin: shape.hotspot, size: shape.size), encoding: .xCursor))
        guard shape.size.area > 0 else { return }
        for colour in [shape.foreground, shape.background] {
            writeInteger(UInt8(truncatingIfNeeded: colour >> 16))
            writeInteger(UInt8(truncatingIfNeeded: colour >> 8))
            writeInteger(UInt8(truncatingIfNeeded: colour))
        }
        writeBytes(shape.bitmap)
        writeBytes(shape.mask)
    }
}
