/// The flags of a Commit (docs/protocol.md §5.8 "Commit").
public struct CommitFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Validate only: the reply says whether the commit would be accepted, nothing changes.
    public static let testOnly = CommitFlags(rawValue: 1 << 0)
    /// Send a PageFlip event when the commit reaches the screen.
    public static let pageFlipEvent = CommitFlags(rawValue: 1 << 1)

    /// Every bit version 1 defines; the others must be zero.
    public static let all: CommitFlags = [.testOnly, .pageFlipEvent]
}
