import Display

/// What waits to be sent to one client (docs/protocol.md §12 "Bounded queues"): the messages in
/// its outbox and the bytes already handed to its socket channel. Tests read it to check that a
/// client that stops reading costs bounded memory.
public struct ClientQueueState: Equatable, Sendable {
    /// Messages in the outbox, merged ones counted once.
    public var outboxMessages: Int
    /// Input, clipboard and layout events among them (at most 256).
    public var outboxEvents: Int
    /// Bytes of unmergeable messages in the outbox.
    public var outboxBytes: Int
    /// Bytes queued in the channel, not yet taken by the socket.
    public var channelBytes: Int
    /// Key and pointer events dropped so far because 256 were waiting.
    public var droppedEvents: Int
}

extension DeviceServer {
    /// The queues of the connected client `id`; nil when it is not connected.
    public func queueState(of id: ClientID) -> ClientQueueState? {
        thread.sync {
            guard let client = connection(of: id) else { return nil }
            return ClientQueueState(outboxMessages: client.outbox.count, outboxEvents: client.outbox.queuedEvents,
                                    outboxBytes: client.outbox.queuedBytes, channelBytes: client.channel.queuedBytes,
                                    droppedEvents: client.outbox.droppedEvents)
        }
    }
}
