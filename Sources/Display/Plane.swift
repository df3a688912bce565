import Geometry

/// The KMS plane types. Every output has one primary plane (at the bottom) and one cursor plane
/// (on top); producers may add overlays between them.
public enum PlaneType: Int, Hashable, Sendable, Comparable {
    case primary = 0, overlay = 1, cursor = 2
    public static func < (a: PlaneType, b: PlaneType) -> Bool { a.rawValue < b.rawValue }
}

/// What a plane shows (the KMS plane properties FB_ID, SRC_*, CRTC_*, zpos, alpha and, for
/// cursor planes of virtual drivers, HOTSPOT_X/Y). A plane without a framebuffer is disabled.
public struct PlaneState: Hashable, Sendable {
    public var framebuffer: FramebufferID?
    /// Where in the framebuffer to read, in 16.16 fixed point.
    public var source: SourceRect
    /// Where on the output to draw, in output pixels; may reach past the output's edges.
    public var destination: Rect
    /// Order among overlays (0...255); the primary is always below and the cursor always above.
    public var zPosition: Int
    /// Plane-wide opacity, 0 (transparent) ... 0xffff (opaque), multiplied with pixel alpha.
    public var alpha: UInt16
    /// For cursor planes: the pointer's hot pixel, relative to the destination's top-left.
    public var hotspot: Point

    public init(framebuffer: FramebufferID?, source: SourceRect, destination: Rect,
                zPosition: Int = 0, alpha: UInt16 = 0xffff, hotspot: Point = .zero) {
        self.framebuffer = framebuffer; self.source = source; self.destination = destination
        self.zPosition = zPosition; self.alpha = alpha; self.hotspot = hotspot
    }

    /// A plane showing the whole of a `size` framebuffer 1:1 at `origin`.
    public init(framebuffer: FramebufferID, size: Size, at origin: Point = .zero) {
        self.init(framebuffer: framebuffer, source: SourceRect(Rect(size: size)), destination: Rect(origin: origin, size: size))
    }

    public static let disabled = PlaneState(framebuffer: nil, source: SourceRect(Rect.zero), destination: .zero)
}

/// A plane: its identity and the state currently on screen (the state of a pending commit is
/// kept by the device until the output's frame tick).
public struct Plane: Sendable {
    public let id: PlaneID
    public let type: PlaneType
    public let output: OutputID
    public internal(set) var state: PlaneState
}
