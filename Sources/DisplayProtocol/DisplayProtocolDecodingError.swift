/// Why a byte stream (with its fds) could not be decoded (docs/protocol.md §3 "Framing", §8 "Limits").
///
/// Every one is fatal for the connection: the receiver sends Error with `code` and closes. After
/// one, the decoder stays failed; the caller closes the fds still queued in it
/// (`DisplayMessageDecoder.takeQueuedFDs()`).
public struct DisplayProtocolDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Error, Hashable, Sendable {
        /// The header declares more than `DisplayProtocolLimits.maximumMessageSize` bytes.
        case messageTooLarge(length: UInt32, limit: Int)
        /// The header declares fewer bytes than a header and request id.
        case messageTooShort(length: UInt32)
        /// The header's flags byte is not zero.
        case nonZeroHeaderFlags(UInt8)
        /// A type this direction does not define.
        case unknownMessageType(DisplayMessageType)
        /// The header declares more fds than `DisplayProtocolLimits.maximumFDsPerMessage`.
        case tooManyFDsDeclared(count: Int, limit: Int)
        /// The header's fd count is not what the body says the message carries.
        case fdCountMismatch(type: DisplayMessageType, declared: Int, expected: Int)
        /// Bytes past a message arrived before all of its fds did.
        case missingFDs(type: DisplayMessageType, declared: Int, received: Int)
        /// Fds arrived that no message claims.
        case unclaimedFDs(count: Int)
        /// The body ends before its fields do.
        case truncatedBody(type: DisplayMessageType)
        /// The body goes on after its last field.
        case trailingBytes(type: DisplayMessageType, count: Int)
        /// A Hello whose first four bytes are not "PRTH".
        case badMagic([UInt8])
        /// A reserved field or flag bit that is not zero, or an enumeration value with no meaning.
        case invalidValue(field: String, value: UInt64)
        /// A string longer than its limit.
        case stringTooLong(field: String, length: Int, limit: Int)
        /// A string that is not valid UTF-8.
        case invalidUTF8(field: String)
        /// A count of entries (rects, planes, outputs, buffers) over its limit.
        case countTooLarge(field: String, count: Int, limit: Int)
        /// The stream ended inside a message, or with fds left over.
        case truncatedStream(bufferedBytes: Int, queuedFDs: Int)
    }

    public var kind: Kind
    /// The request id of the message that failed, when its header and id were in.
    public var requestID: UInt32?

    public init(_ kind: Kind, requestID: UInt32? = nil) {
        self.kind = kind
        self.requestID = requestID
    }

    /// The error code to report to the peer (docs/protocol.md §9).
    public var code: ProtocolErrorCode {
        switch kind {
        case .stringTooLong, .countTooLarge, .messageTooLarge, .tooManyFDsDeclared: return .limitExceeded
        case .invalidUTF8, .invalidValue: return .invalidArgument
        default: return .protocolError
        }
    }

    public var description: String {
        switch kind {
        case .messageTooLarge(let length, let limit): return "message declares \(length) bytes (limit \(limit))"
        case .messageTooShort(let length): return "message declares \(length) bytes (at least 12 needed)"
        case .nonZeroHeaderFlags(let flags): return "header flags \(flags) (must be 0)"
        case .unknownMessageType(let type): return "unknown message type \(type.hexDescription)"
        case .tooManyFDsDeclared(let count, let limit): return "message declares \(count) fds (limit \(limit))"
        case .fdCountMismatch(let type, let declared, let expected):
            return "\(type.name) declares \(declared) fds, its body needs \(expected)"
        case .missingFDs(let type, let declared, let received):
            return "\(type.name) declares \(declared) fds but only \(received) arrived with it"
        case .unclaimedFDs(let count): return "\(count) fds arrived that no message claims"
        case .truncatedBody(let type): return "\(type.name) body is shorter than its fields"
        case .trailingBytes(let type, let count): return "\(type.name) body has \(count) bytes after its fields"
        case .badMagic(let bytes): return "Hello magic is \(bytes), not \"PRTH\""
        case .invalidValue(let field, let value): return "\(field) has invalid value \(value)"
        case .stringTooLong(let field, let length, let limit): return "\(field) is \(length) bytes (limit \(limit))"
        case .invalidUTF8(let field): return "\(field) is not valid UTF-8"
        case .countTooLarge(let field, let count, let limit): return "\(field) is \(count) (limit \(limit))"
        case .truncatedStream(let bytes, let fds): return "stream ended with \(bytes) bytes and \(fds) fds undecoded"
        }
    }
}
