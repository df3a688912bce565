import Geometry

/// Something the edge must tell a client. The device never sends anything itself: its methods
/// return these, addressed, and the edge writes them (and signals a producer's eventfd on page
/// flips). Events for a disconnected client are never produced.
public enum DisplayEvent: Equatable, Sendable {
    /// The producer's commit reached the screen at frame `sequence` (DRM page-flip event).
    case pageFlip(to: ClientID, output: OutputID, sequence: UInt64, timestampNanoseconds: UInt64, userData: UInt64)
    /// The framebuffer is no longer on screen nor pending: its owner may draw into it again.
    case release(to: ClientID, framebuffer: FramebufferID)
    /// Virtual hotplug, sent to consumers.
    case outputAdded(to: ClientID, DisplayOutput)
    case outputRemoved(to: ClientID, OutputID)
    /// Mode, position or enabled state changed (at the frame tick that applied it).
    case outputChanged(to: ClientID, DisplayOutput)
    /// A consumer (a viewer's SetDesktopSize, say) asks the owning producer for a new layout.
    case layoutRequest(to: ClientID, output: OutputID, mode: DisplayMode?, position: Point?)

    /// The client the event is for.
    public var recipient: ClientID {
        switch self {
        case .pageFlip(let c, _, _, _, _), .release(let c, _), .outputAdded(let c, _), .outputRemoved(let c, _),
             .outputChanged(let c, _), .layoutRequest(let c, _, _, _):
            return c
        }
    }
}
