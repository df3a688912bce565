/// The flags of CreateFramebuffer (docs/protocol.md §5.6, byte 41; version 1.1).
public struct CreateFramebufferFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The copy path (§11): the server copies the damaged region at the frame tick that applies
    /// a commit and sends Release at once, so one framebuffer is enough. Needs version 1.1.
    public static let copy = CreateFramebufferFlags(rawValue: 1 << 0)

    /// Every bit a version 1.x codec knows; the others must be zero.
    public static let known: CreateFramebufferFlags = [.copy]
}
