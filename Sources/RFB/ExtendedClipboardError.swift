/// Why an extended clipboard message was refused.
public enum ExtendedClipboardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the flags, a caps message without all its sizes, or data shorter than the
    /// sizes it declares.
    case truncated(String)
    /// No action bit, or several without caps.
    case invalidActions(UInt32)
    /// The zlib data of a provide is corrupt.
    case corrupt(String)
    /// The zlib data of a provide inflates past the limit (a zlib bomb stops here).
    case inflatedTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .truncated(let why): return "extended clipboard message truncated: \(why)"
        case .invalidActions(let flags): return "extended clipboard flags 0x\(String(flags, radix: 16)) name no single action"
        case .corrupt(let why): return "extended clipboard provide: \(why)"
        case .inflatedTooLarge(let limit): return "extended clipboard provide inflates past the limit of \(limit) bytes"
        }
    }
}
