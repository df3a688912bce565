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

/// A framebuffer size with its screens: what ExtendedDesktopSize reports and SetDesktopSize asks for.
public struct DesktopLayout: Hashable, Sendable, CustomStringConvertible {
    public var size: Size
    public var screens: [Screen]

    public init(size: Size, screens: [Screen]) { self.size = size; self.screens = screens }

    /// A basic layout: one screen (id 0) covering the whole framebuffer, as rfbproto "Screen
    /// Model" says a basic client assumes.
    public init(singleScreen size: Size) {
        self.init(size: size, screens: [Screen(id: 0, rect: Rect(size: size))])
    }

    /// Why the layout cannot be honoured, or nil when it is valid: rfbproto "Screen Model" wants
    /// at least one screen, each non-empty and fully inside the framebuffer, with unique ids (up
    /// to 255 of them). Screens may overlap partially or completely (mirroring), so overlap is
    /// accepted. The framebuffer must be at least 1x1 and at most `maximumSide` on each side.
    public func validationFailure(maximumSide: Int) -> String? {
        guard size.width >= 1 && size.height >= 1 else { return "framebuffer size \(size) is empty" }
        guard size.width <= maximumSide && size.height <= maximumSide else {
            return "framebuffer size \(size) exceeds \(maximumSide) on a side"
        }
        guard !screens.isEmpty else { return "no screens" }
        guard screens.count <= 255 else { return "\(screens.count) screens (at most 255)" }
        var ids = Set<UInt32>()
        let bounds = Rect(size: size)
        for screen in screens {
            guard !screen.rect.isEmpty else { return "\(screen) is empty" }
            guard bounds.contains(screen.rect) else { return "\(screen) lies outside the \(size) framebuffer" }
            guard ids.insert(screen.id).inserted else { return "screen id \(screen.id) is used twice" }
        }
        return nil
    }

    public var description: String { "\(size) [" + screens.map(\.description).joined(separator: ", ") + "]" }
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
