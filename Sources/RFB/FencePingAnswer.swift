import NIOCore

/// How `FencePacer` took a ServerFence answer (a ClientFence without Request).
public enum FencePingAnswer: Equatable, Sendable {
    /// The answer to one of our outstanding pings: everything sent before it has been processed.
    case acknowledged(roundTrip: TimeAmount)
    /// Not shaped like our ping payload, e.g. the empty fence that confirms Fence support
    /// (rfbproto "Fence Pseudo-encoding"); nothing to do.
    case notAPing
    /// Shaped like our ping but for no ping that is outstanding: never sent, answered already, or
    /// given up on. Ignored; the edge may log it.
    case unexpected(sequence: UInt32)
}
