/// A connected or recently disconnected client. For a producer this is also its lease: it owns
/// the outputs it created (and their planes) and its framebuffers, and while it is disconnected
/// they stay up until `graceDeadline`, when presenting `token` on reconnection takes them back.
struct Lease: Sendable {
    enum Role: Sendable { case producer, consumer }
    let client: ClientID
    let role: Role
    let token: LeaseToken?
    var connected: Bool
    /// When a disconnected producer's objects are removed (nanoseconds, the edge's clock).
    var graceDeadline: UInt64?
}

/// What a producer gets at hello.
public struct ProducerConnection: Equatable, Sendable {
    public let client: ClientID
    /// The token to present when reconnecting.
    public let token: LeaseToken
    /// Outputs taken back from the grace period; empty for a new lease.
    public let reclaimedOutputs: [OutputID]
}
