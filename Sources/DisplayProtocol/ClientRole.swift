/// What a client is, announced in Hello (docs/protocol.md §4.1 "Handshake").
public enum ClientRole: UInt8, Hashable, Sendable, CaseIterable {
    /// Creates outputs and pushes frames into them.
    case producer = 1
    /// Reads outputs: subscribes to scanouts, sends input, clipboard and layout requests.
    case consumer = 2
}
