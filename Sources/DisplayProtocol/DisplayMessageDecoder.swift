import NIOCore

/// The decoder a server uses for what clients send.
public typealias ClientToServerDecoder = DisplayMessageDecoder<ClientToServerMessage>
/// The decoder a producer or consumer uses for what the server sends.
public typealias ServerToClientDecoder = DisplayMessageDecoder<ServerToClientMessage>

/// Splits a socket's byte stream and its received fds into messages (docs/protocol.md §3
/// "Framing", §3.3 "File descriptors").
///
/// The edge appends what each recvmsg returned, bytes and SCM_RIGHTS fds in either order, then
/// calls `next()` until it returns nil. Bytes may arrive in any split. A message takes its fds
/// from the front of the fd queue; a complete message whose fds are not all queued yet waits for
/// them.
///
/// Checks, each fatal:
/// - the header's length against `limits.maximumMessageSize` as soon as its first four bytes are
///   in, before anything waits for or allocates the body; its type, flags and fd count as soon as
///   all eight are in;
/// - too few fds: bytes past a message arrived while some of its fds had not (the protocol sends
///   a message's fds with its bytes, so they can never come later than the next message);
/// - too many fds: fds left over when a message is taken and no byte past it has arrived, or more
///   than `limits.maximumFDsPerMessage` queued ahead of a header;
/// - every body field against its layout and limits.
///
/// Fd ownership: the decoder never closes or duplicates an fd. Fds in a returned message belong to
/// the caller. Fds still queued (after an error, or when the connection ends) are handed back by
/// `takeQueuedFDs()` for the caller to close. After an error the decoder stays failed and throws
/// the same error again.
///
/// `append` and `next()` (with what it calls) are `@inlinable`, so that the display server and
/// clients decode with a copy compiled for their `Message`: called across modules as generic
/// code, every message went through witness tables and type-metadata lookups (`next()` was 3% of
/// a typing frame's samples, a quarter of that looking up metadata).
public struct DisplayMessageDecoder<Message: DisplayWireMessage> {
    public let limits: DisplayProtocolLimits
    @usableFromInline var buffer = ByteBuffer()
    @usableFromInline var fdQueue: [Int32] = []
    @usableFromInline var failure: DisplayProtocolDecodingError?

    public init(limits: DisplayProtocolLimits = .version1) { self.limits = limits }

    /// Bytes received but not yet taken out as messages.
    public var bufferedByteCount: Int { buffer.readableBytes }

    /// Fds received but not yet taken out with their messages.
    public var queuedFDCount: Int { fdQueue.count }

    /// Appends received bytes.
    @inlinable
    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.writeBytes(bytes) }

    /// Appends fds received with SCM_RIGHTS, in the order they arrived. The decoder holds them
    /// until a message takes them or `takeQueuedFDs()` hands them back.
    public mutating func appendFDs(_ fds: some Sequence<Int32>) { fdQueue.append(contentsOf: fds) }

    /// Removes and returns every queued fd, for the caller to close.
    public mutating func takeQueuedFDs() -> [Int32] {
        defer { fdQueue.removeAll() }
        return fdQueue
    }

    /// The next complete message, or nil when more bytes or fds are needed.
    @inlinable
    public mutating func next() throws(DisplayProtocolDecodingError) -> DecodedDisplayMessage<Message>? {
        if let failure { throw failure }
        do {
            guard let message = try decodeOne() else { return nil }
            if buffer.readerIndex > 4096 { buffer.discardReadBytes() }
            return message
        } catch {
            failure = error
            throw error
        }
    }

    /// Checks that the stream ended between messages with no fds left over. Call it when the peer
    /// closes the connection.
    public mutating func finish() throws(DisplayProtocolDecodingError) {
        if let failure { throw failure }
        guard buffer.readableBytes == 0, fdQueue.isEmpty else {
            let error = DisplayProtocolDecodingError(.truncatedStream(bufferedBytes: buffer.readableBytes, queuedFDs: fdQueue.count))
            failure = error
            throw error
        }
    }

    @inlinable
    func fail(_ kind: DisplayProtocolDecodingError.Kind, requestID: UInt32? = nil) -> DisplayProtocolDecodingError {
        DisplayProtocolDecodingError(kind, requestID: requestID)
    }

    @inlinable
    mutating func decodeOne() throws(DisplayProtocolDecodingError) -> DecodedDisplayMessage<Message>? {
        let start = buffer.readerIndex
        guard let length = buffer.getInteger(at: start, endianness: .little, as: UInt32.self) else {
            try checkFDsAheadOfHeader()
            return nil
        }
        guard UInt64(length) <= UInt64(max(0, limits.maximumMessageSize)) else {
            throw fail(.messageTooLarge(length: length, limit: limits.maximumMessageSize))
        }
        guard length >= DisplayMessageHeader.size else { throw fail(.messageTooShort(length: length)) }
        guard let rawType = buffer.getInteger(at: start + 4, endianness: .little, as: UInt16.self),
              let fdCount = buffer.getInteger(at: start + 6, as: UInt8.self),
              let flags = buffer.getInteger(at: start + 7, as: UInt8.self)
        else {
            try checkFDsAheadOfHeader()
            return nil
        }
        let type = DisplayMessageType(rawValue: rawType)
        guard flags == 0 else { throw fail(.nonZeroHeaderFlags(flags)) }
        guard Message.isKnownType(type) else { throw fail(.unknownMessageType(type)) }
        guard Int(fdCount) <= limits.maximumFDsPerMessage else {
            throw fail(.tooManyFDsDeclared(count: Int(fdCount), limit: limits.maximumFDsPerMessage))
        }
        let messageLength = Int(length)
        guard buffer.readableBytes >= messageLength else { return nil }
        let requestID = buffer.getInteger(at: start + 8, endianness: .little, as: UInt32.self)!
        let fdCountInt = Int(fdCount)
        guard fdQueue.count >= fdCountInt else {
            if buffer.readableBytes > messageLength {
                throw fail(.missingFDs(type: type, declared: fdCountInt, received: fdQueue.count), requestID: requestID)
            }
            return nil
        }
        if fdQueue.count > fdCountInt, buffer.readableBytes == messageLength {
            throw fail(.unclaimedFDs(count: fdQueue.count - fdCountInt), requestID: requestID)
        }
        let body = buffer.getSlice(at: start + DisplayMessageHeader.size, length: messageLength - DisplayMessageHeader.size)!
        let fds = Array(fdQueue.prefix(fdCountInt))
        let message: Message
        do {
            message = try Message.decode(type: type, body: body, fds: fds, limits: limits)
        } catch {
            throw fail(error, requestID: requestID)
        }
        fdQueue.removeFirst(fdCountInt)
        buffer.moveReaderIndex(forwardBy: messageLength)
        return DecodedDisplayMessage(requestID: requestID, message: message)
    }

    /// Before a header is whole, at most one message's worth of fds can have arrived ahead of it.
    @inlinable
    func checkFDsAheadOfHeader() throws(DisplayProtocolDecodingError) {
        guard fdQueue.count <= limits.maximumFDsPerMessage else { throw fail(.unclaimedFDs(count: fdQueue.count)) }
    }
}
