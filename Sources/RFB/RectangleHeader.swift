import Geometry
import NIOCore

/// The twelve-byte header in front of every rectangle of a FramebufferUpdate (RFC 6143 §7.6.1):
/// x, y, width and height as U16, then the S32 encoding type.
public struct RectangleHeader: Hashable, Sendable {
    public var rect: Rect
    public var encoding: Encoding

    public init(rect: Rect, encoding: Encoding) { self.rect = rect; self.encoding = encoding }

    public static let wireLength = 12
}

extension ByteBuffer {
    /// Writes a rectangle header (RFC 6143 §7.6.1). Coordinates are truncated to 16 bits; callers
    /// only pass rectangles inside a framebuffer, whose sides fit in a U16 by construction.
    public mutating func writeRectangleHeader(_ header: RectangleHeader) {
        writeInteger(UInt16(truncatingIfNeeded: header.rect.x))
        writeInteger(UInt16(truncatingIfNeeded: header.rect.y))
        writeInteger(UInt16(truncatingIfNeeded: header.rect.width))
        writeInteger(UInt16(truncatingIfNeeded: header.rect.height))
        writeInteger(header.encoding.rawValue)
    }

    /// Reads a rectangle header, or returns nil without moving the reader index when fewer than
    /// twelve bytes are readable.
    public mutating func readRectangleHeader() -> RectangleHeader? {
        guard readableBytes >= RectangleHeader.wireLength,
              let x = readInteger(as: UInt16.self), let y = readInteger(as: UInt16.self),
              let width = readInteger(as: UInt16.self), let height = readInteger(as: UInt16.self),
              let encoding = readInteger(as: Int32.self)
        else { return nil }
        return RectangleHeader(rect: Rect(x: Int(x), y: Int(y), width: Int(width), height: Int(height)),
                               encoding: Encoding(encoding))
    }
}
