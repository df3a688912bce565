import Geometry

/// A two-colour cursor as the XCursor pseudo-encoding carries it (rfbproto "X Cursor
/// Pseudo-encoding"): a bitmap choosing foreground (1) or background (0) and a bitmask, both with
/// rows padded to whole bytes, most significant bit leftmost.
public struct XCursorShape: Hashable, Sendable {
    public var hotspot: Point
    public var size: Size
    /// Canonical XRGB8888 colours (only 8 bits per component travel).
    public var foreground: UInt32
    public var background: UInt32
    public var bitmap: [UInt8]
    public var mask: [UInt8]

    /// - Precondition: bitmap and mask lengths match the size.
    public init(hotspot: Point, size: Size, foreground: UInt32, background: UInt32, bitmap: [UInt8], mask: [UInt8]) {
        let length = CursorShape.maskLength(for: size)
        precondition(size.width >= 0 && size.height >= 0 && bitmap.count == length && mask.count == length,
                     "cursor data does not match its size")
        self.hotspot = hotspot; self.size = size
        self.foreground = foreground; self.background = background
        self.bitmap = bitmap; self.mask = mask
    }

    /// The same cursor as a full-colour shape.
    public var cursorShape: CursorShape {
        let rowBytes = CursorShape.bytesPerMaskRow(width: size.width)
        var pixels = [UInt32](repeating: 0, count: size.area)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let set = bitmap[y * rowBytes + x / 8] & (0x80 >> UInt8(x % 8)) != 0
                pixels[y * size.width + x] = (set ? foreground : background) & 0x00ff_ffff
            }
        }
        return CursorShape(hotspot: hotspot, size: size, pixels: pixels, mask: mask)
    }
}
