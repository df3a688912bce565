import Geometry

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

    /// Most screens a layout may have: the wire allows 255 (a U8), far more than any real
    /// desktop; a request for more gets "invalid screen layout" like any other it cannot honour.
    public static let maximumScreenCount = 64

    /// Why the layout cannot be honoured, or nil when it is valid: rfbproto "Screen Model" wants
    /// at least one screen, each non-empty and fully inside the framebuffer, with unique ids (at
    /// most `maximumScreenCount` here). Screens may overlap partially or completely (mirroring), so
    /// overlap is accepted. The framebuffer must be at least 1x1 and at most `maximumSide` on each
    /// side.
    public func validationFailure(maximumSide: Int) -> String? {
        guard size.width >= 1 && size.height >= 1 else { return "framebuffer size \(size) is empty" }
        guard size.width <= maximumSide && size.height <= maximumSide else {
            return "framebuffer size \(size) exceeds \(maximumSide) on a side"
        }
        guard !screens.isEmpty else { return "no screens" }
        guard screens.count <= Self.maximumScreenCount else { return "\(screens.count) screens (at most \(Self.maximumScreenCount))" }
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
