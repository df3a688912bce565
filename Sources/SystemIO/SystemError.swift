#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which operation, the errno it left, and what that errno means.
///
/// Every throwing function in SystemIO throws this (or `MemoryValidationError`, which wraps it), so
/// callers can tell "would block" (`EAGAIN`), "peer went away" (`EPIPE`, `ECONNRESET`) and real
/// failures apart without parsing strings.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call and its main argument, for example `"connect(/run/porthole/socket)"`.
    public let operation: String
    /// The errno value the call left.
    public let errno: Int32
    /// Extra context when errno alone would mislead, for example why a socket path is in use.
    public let detail: String?

    public init(operation: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    /// The error for the errno the last call left.
    static func last(_ operation: String) -> SystemError {
        SystemError(operation: operation, errno: Glibc.errno)
    }

    /// strerror(3) of `errno`.
    public var message: String { String(cString: strerror(errno)) }

    /// True for EAGAIN/EWOULDBLOCK: a nonblocking descriptor has nothing to give or no room now.
    public var isWouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }

    /// True when the peer of a socket is gone (EPIPE, ECONNRESET).
    public var isPeerGone: Bool { errno == EPIPE || errno == ECONNRESET }

    public var description: String {
        var text = "\(operation) failed: \(message) (errno \(errno))"
        if let detail { text += ": \(detail)" }
        return text
    }
}

/// Runs `body` until it returns a non-negative result, retrying after EINTR (signal(7): a call
/// interrupted by a handler returns EINTR unless SA_RESTART applies, and not all calls restart).
@inline(__always)
func retryingOnInterrupt<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(operation: operation(), errno: code)
    }
}
