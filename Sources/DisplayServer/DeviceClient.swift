import Display
import DisplayProtocol
import SystemIO

/// One connection to a `DeviceServer`: its channel, its decoder and what its Hello made of it.
/// Touched only on the server's queue (hence unchecked).
final class DeviceClient: @unchecked Sendable {
    /// The server's key for this connection (not a protocol id).
    let key: Int
    let channel: FDPassingChannel
    var decoder = ClientToServerDecoder()
    /// Set by Hello (docs/protocol.md §4.1); nil before it.
    var role: ClientRole?
    var clientID: ClientID?
    var name = ""
    /// The protocol version Welcome settled on (§10): the client sends nothing it does not define.
    var version = DisplayProtocolVersion(major: 1, minor: 0)
    /// The producer's flip eventfd (§5.9), signalled at every page flip of its outputs.
    var flipEventFD: EventFD?
    /// The consumer's subscriptions (§6.2).
    var subscriptions: [OutputID: ScanoutSubscription] = [:]
    /// Messages not handed to the channel yet, merged and bounded (docs/protocol.md §12).
    var outbox: ClientOutbox<[FileDescriptorHandle]>
    /// Set once the server gave up on the connection: nothing more is read or answered.
    var closing = false

    init(key: Int, channel: FDPassingChannel, maximumQueuedBytes: Int) {
        self.key = key
        self.channel = channel
        outbox = ClientOutbox(maximumQueuedBytes: maximumQueuedBytes)
    }

    var label: String {
        let who = clientID.map { "\($0)" } ?? "connection \(key)"
        return name.isEmpty ? who : "\(who) \"\(name)\""
    }
}
