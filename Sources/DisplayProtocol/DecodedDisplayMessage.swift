/// One message taken out of a `DisplayMessageDecoder`, with its request id
/// (docs/protocol.md §3 "Framing", §4.2 "Sequencing").
public struct DecodedDisplayMessage<Message: DisplayWireMessage>: Hashable, Sendable {
    /// The request id from the header: the client's id for its requests, the echoed id for
    /// replies, 0 for events.
    public var requestID: UInt32
    /// The message. Its fds (if any) now belong to the caller, who must close them.
    public var message: Message

    public init(requestID: UInt32, message: Message) {
        self.requestID = requestID
        self.message = message
    }
}
