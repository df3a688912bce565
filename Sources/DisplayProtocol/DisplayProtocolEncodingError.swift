/// Why a message could not be written (docs/protocol.md §8 "Limits"). Nothing was written.
public enum DisplayProtocolEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message would be longer than the maximum message size.
    case messageTooLarge(type: DisplayMessageType, length: Int, limit: Int)
    /// A string, list or fd count would not fit its wire field or its protocol limit.
    case fieldTooLarge(type: DisplayMessageType, field: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case .messageTooLarge(let type, let length, let limit): return "\(type.name) would be \(length) bytes (limit \(limit))"
        case .fieldTooLarge(let type, let field, let count, let limit): return "\(type.name) \(field) is \(count) (limit \(limit))"
        }
    }
}
