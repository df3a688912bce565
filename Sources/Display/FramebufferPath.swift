/// How the server reads a framebuffer's memory (docs/protocol.md §11 "Memory rules").
public enum FramebufferPath: Hashable, Sendable {
    /// The server reads the producer's memory in place while the framebuffer is on screen, and
    /// releases it only when a later commit takes it off the screen. Nothing is copied; the
    /// producer needs two or three framebuffers to draw while one is shown.
    case zeroCopy
    /// At the frame tick that applies a commit, the server copies the framebuffer's damaged
    /// region into memory of its own and releases the framebuffer at once; the producer may draw
    /// into it again right after that Release, and one framebuffer is enough. For producers that
    /// cannot hold buffers, and for the bridge.
    case copy
}
