import DisplayProtocol
import SystemIO

/// Why a `DisplayClient` call failed.
public enum DisplayClientError: Error, CustomStringConvertible {
    /// The server answered the request with Error (docs/protocol.md §7.2).
    case server(ErrorReport)
    /// The server rejected a commit (§7.8).
    case commitRejected(ErrorReport)
    /// The server answered with a message this request does not expect.
    case unexpectedReply(ServerToClientMessage)
    /// Nothing arrived in time.
    case timedOut(String)
    /// The server closed the connection.
    case closed
    /// The server sent bytes that do not decode; the connection is unusable.
    case decoding(DisplayProtocolDecodingError)
    case encoding(DisplayProtocolEncodingError)
    /// ListOutputs (§6.1) has no output with this id or name; `known` lists those it has.
    case noSuchOutput(selector: String, known: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .server(let report): return "server error \(report.code.rawValue) (\(report.code)): \(report.message)"
        case .commitRejected(let report): return "commit rejected, \(report.code): \(report.message)"
        case .unexpectedReply(let message): return "unexpected reply \(message.messageType)"
        case .timedOut(let what): return "timed out waiting for \(what)"
        case .closed: return "the server closed the connection"
        case .decoding(let error): return "cannot decode the server's messages: \(error)"
        case .encoding(let error): return "cannot encode: \(error)"
        case .noSuchOutput(let selector, let known): return "no output \(selector); the device has: \(known.isEmpty ? "none" : known)"
        case .system(let error): return error.description
        }
    }
}
