import NIOCore

/// A set of messages for one direction of the socket (docs/protocol.md §3 "Framing"):
/// `ClientToServerMessage` and `ServerToClientMessage`.
///
/// `DisplayMessageDecoder` and `ByteBuffer.writeDisplayMessage(_:requestID:limits:)` handle the
/// header and request id; a conforming type reads and writes what follows them.
public protocol DisplayWireMessage: Hashable, Sendable {
    /// Whether this direction defines `type`. The decoder refuses others as soon as the header is in.
    static func isKnownType(_ type: DisplayMessageType) -> Bool

    /// Decodes the body after the request id. `fds` are the ones the header declared, in order;
    /// the result holds them (and nothing else does).
    static func decode(type: DisplayMessageType, body: ByteBuffer, fds: [Int32],
                       limits: DisplayProtocolLimits) throws(DisplayProtocolDecodingError.Kind) -> Self

    /// The header's type field.
    var messageType: DisplayMessageType { get }

    /// The fds the message carries, in the order they go in SCM_RIGHTS.
    var fds: [Int32] { get }

    /// Writes the body after the request id.
    func writeBody(into buffer: inout ByteBuffer, limits: DisplayProtocolLimits) throws(DisplayProtocolEncodingError)
}

extension DisplayWireMessage {
    /// Refuses a header fd count other than `expected`.
    static func expectFDs(_ fds: [Int32], _ expected: Int, type: DisplayMessageType) throws(DisplayProtocolDecodingError.Kind) {
        guard fds.count == expected else { throw .fdCountMismatch(type: type, declared: fds.count, expected: expected) }
    }

    /// Runs `write` on a `WireWriter` that appends to `buffer`.
    static func withWriter(_ buffer: inout ByteBuffer, type: DisplayMessageType, limits: DisplayProtocolLimits,
                           _ write: (inout WireWriter) throws(DisplayProtocolEncodingError) -> Void) throws(DisplayProtocolEncodingError) {
        var writer = WireWriter(buffer: ByteBuffer(), type: type, limits: limits)
        swap(&buffer, &writer.buffer)
        defer { swap(&buffer, &writer.buffer) }
        try write(&writer)
    }
}
