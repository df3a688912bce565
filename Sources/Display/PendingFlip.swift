/// An output's next state, waiting for its frame tick: the configuration and every plane's state
/// as the commits since the last tick left them (a commit lands on the previous pending one, like
/// a mailbox that keeps only the newest letter but never loses a property it did not rewrite).
struct PendingFlip: Sendable {
    var configuration: OutputConfiguration
    var planes: [PlaneID: PlaneState]
    /// Union of the damage of the merged commits: the picture changed by all of them.
    var damage: [PlaneID: PlaneDamage]
    /// The producer's moves per plane (docs/protocol.md §5.8, version 1.2), relative to the picture
    /// on screen: only a plane that one commit alone changed since the last tick has any. Their
    /// destinations are not in `damage`.
    var moves: [PlaneID: [CopyMove]] = [:]
    var pageFlipEvent: Bool
    var userData: UInt64
}
