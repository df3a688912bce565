import NIOCore

/// What `FencePacer` says about sending the next FramebufferUpdate now.
public enum FencePacerDecision: Equatable, Sendable {
    /// The congestion window has room (or pacing is off): send.
    case sendNow
    /// The window is full: wait for the next ping answer, which frees acknowledged bytes. Damage
    /// keeps merging meanwhile. If no answer has come by `giveUpAt`, call
    /// `FencePacer.giveUpIfUnanswered(at:)` so that a viewer that never answers cannot stall.
    case waitForAnswer(giveUpAt: NIODeadline)
}
