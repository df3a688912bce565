/// Which framebuffers the composer lent as the scanout are still read somewhere, and the Release
/// events held back for them (docs/architecture.md, "Zero-copy scanout").
///
/// A framebuffer lent to viewers must not go back to its producer while a viewer may still encode
/// from it or the output's refinery compare the next frame with it: from its Release on, the
/// producer may draw into it (docs/protocol.md §11). Each lent picture counts once, from `lend`
/// until its last copy is gone (`returned`); a Release that the device emits meanwhile waits for
/// the count to reach zero.
public struct LentFramebufferHolds: Sendable {
    private var holds: [FramebufferID: Int] = [:]
    private var heldReleases: [FramebufferID: ClientID] = [:]

    public init() {}

    /// A picture of `framebuffer` was lent.
    public mutating func lend(_ framebuffer: FramebufferID) { holds[framebuffer, default: 0] += 1 }

    /// Whether a lent picture of `framebuffer` is still alive.
    public func isLent(_ framebuffer: FramebufferID) -> Bool { holds[framebuffer] != nil }

    /// The events to send now: all but the Releases of framebuffers still lent, which are kept
    /// until `returned` lets them go.
    public mutating func passing(_ events: [DisplayEvent]) -> [DisplayEvent] {
        events.filter { event in
            guard case .release(let client, let framebuffer) = event, holds[framebuffer] != nil else { return true }
            heldReleases[framebuffer] = client
            return false
        }
    }

    /// A lent picture of `framebuffer` is gone. Returns the Release that waited for it, once no
    /// other picture of it is alive; the caller sends it unless the framebuffer went back on
    /// screen or away meanwhile.
    public mutating func returned(_ framebuffer: FramebufferID) -> DisplayEvent? {
        guard let count = holds[framebuffer] else { return nil }
        guard count == 1 else {
            holds[framebuffer] = count - 1
            return nil
        }
        holds[framebuffer] = nil
        return heldReleases.removeValue(forKey: framebuffer).map { .release(to: $0, framebuffer: framebuffer) }
    }
}
