import Geometry
import NIOCore

/// One screen of a multi-head layout: a viewport into the single framebuffer (rfbproto "Screen
/// Model" and the SCREEN structure of "ExtendedDesktopSize Pseudo-encoding").
public struct Screen: Hashable, Sendable, CustomStringConvertible {
    /// Chosen by whichever side created the screen; unique within a layout and kept for the
    /// screen's lifetime.
    public var id: UInt32
    /// Where the screen lies in the framebuffer.
    public var rect: Rect
    /// Unused by the spec; bits nobody understands must be preserved.
    public var flags: UInt32

    public init(id: UInt32, rect: Rect, flags: UInt32 = 0) {
        self.id = id; self.rect = rect; self.flags = flags
    }

    /// Sixteen bytes: U32 id, U16 x, y, width, height, U32 flags.
    public static let wireLength = 16

    public var description: String { "screen \(id) \(rect)" + (flags != 0 ? " flags \(flags)" : "") }
}

extension ByteBuffer {
    /// Writes one SCREEN (rfbproto "ExtendedDesktopSize Pseudo-encoding").
    public mutating func writeScreen(_ screen: Screen) {
        writeInteger(screen.id)
        writeInteger(UInt16(truncatingIfNeeded: screen.rect.x))
        writeInteger(UInt16(truncatingIfNeeded: screen.rect.y))
        writeInteger(UInt16(truncatingIfNeeded: screen.rect.width))
        writeInteger(UInt16(truncatingIfNeeded: screen.rect.height))
        writeInteger(screen.flags)
    }

    /// Reads one SCREEN, or returns nil without moving the reader index when fewer than sixteen
    /// bytes are readable.
    public mutating func readScreen() -> Screen? {
        guard readableBytes >= Screen.wireLength,
              let id = readInteger(as: UInt32.self),
              let x = readInteger(as: UInt16.self), let y = readInteger(as: UInt16.self),
              let width = readInteger(as: UInt16.self), let height = readInteger(as: UInt16.self),
              let flags = readInteger(as: UInt32.self)
        else { return nil }
        return Screen(id: id, rect: Rect(x: Int(x), y: Int(y), width: Int(width), height: Int(height)), flags: flags)
    }
}
