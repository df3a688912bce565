/// The code in an Error or CommitRejected message (docs/protocol.md §9 "Error codes").
///
/// A struct rather than an enum so that codes added by a later minor version still decode.
public struct ProtocolErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The byte stream broke the protocol (framing, unknown type, bad fd count, message out of
    /// order). The server closes the connection after sending it.
    public static let protocolError = ProtocolErrorCode(rawValue: 1)
    /// An id names nothing, or something the client cannot see (another client's lease).
    public static let noSuchObject = ProtocolErrorCode(rawValue: 2)
    /// The object exists and is visible, but the client may not do this to it (not its lease,
    /// or a request its role does not allow).
    public static let permissionDenied = ProtocolErrorCode(rawValue: 3)
    /// A field is out of range or inconsistent with another.
    public static let invalidArgument = ProtocolErrorCode(rawValue: 4)
    /// A memory fd is not a memfd or dma-buf, is not sealed against shrinking, or is too small.
    public static let badMemory = ProtocolErrorCode(rawValue: 5)
    /// A fourcc format or modifier the server does not support.
    public static let unsupportedFormat = ProtocolErrorCode(rawValue: 6)
    /// A limit from Welcome or docs/protocol.md §8 was exceeded.
    public static let limitExceeded = ProtocolErrorCode(rawValue: 7)
    /// The Hello's major version is not the server's; the detail field holds the server's version.
    public static let version = ProtocolErrorCode(rawValue: 8)

    public var description: String {
        switch rawValue {
        case 1: return "protocol error"
        case 2: return "no such object"
        case 3: return "permission denied"
        case 4: return "invalid argument"
        case 5: return "bad memory"
        case 6: return "unsupported format"
        case 7: return "limit exceeded"
        case 8: return "version"
        default: return "error \(rawValue)"
        }
    }
}
