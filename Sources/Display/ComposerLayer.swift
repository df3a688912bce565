import Geometry

/// One plane as the composer draws it: the framebuffer it shows and where. `Device.scanoutLayers`
/// builds these for an output; anything else that composes (tests, mirrors) may build its own.
public struct ComposerLayer: Sendable {
    public var plane: PlaneID
    public var type: PlaneType
    public var framebuffer: Framebuffer
    public var state: PlaneState

    public init(plane: PlaneID, type: PlaneType, framebuffer: Framebuffer, state: PlaneState) {
        self.plane = plane; self.type = type; self.framebuffer = framebuffer; self.state = state
    }

    /// Every pixel it draws replaces what is under it: no alpha in the format, full plane alpha.
    var isOpaque: Bool { !framebuffer.format.hasAlpha && state.alpha == 0xffff }

    /// Everything about the layer except its pixels: when it differs from the last frame, the
    /// layer's old and new destinations are damaged whatever the damage clips say.
    var placement: Placement {
        Placement(type: type, framebuffer: framebuffer.id, source: state.source, destination: state.destination,
                  zPosition: state.zPosition, alpha: state.alpha)
    }

    struct Placement: Hashable {
        var type: PlaneType
        var framebuffer: FramebufferID
        var source: SourceRect
        var destination: Rect
        var zPosition: Int
        var alpha: UInt16

        /// Equal but for the framebuffer: another buffer shown exactly where the last one was, the
        /// double-buffered producer's page flip.
        func isSwap(of other: Placement) -> Bool {
            var same = other
            same.framebuffer = framebuffer
            return same == self && other.framebuffer != framebuffer
        }
    }

    /// Stacking order: primary at the bottom, overlays by z-position, cursor on top; ties by id.
    static func stackedBefore(_ a: ComposerLayer, _ b: ComposerLayer) -> Bool {
        (a.type, a.state.zPosition, a.plane) < (b.type, b.state.zPosition, b.plane)
    }
}
