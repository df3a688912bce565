#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// An eventfd(2) counter, created with EFD_CLOEXEC.
///
/// A producer may hand the server an eventfd so page-flip completion wakes its render loop
/// without a socket round trip: the server `signal()`s it, the producer `read()`s it (or polls
/// it). Writes add to a 64-bit counter; a read returns the counter and resets it to zero (or, in
/// semaphore mode, returns 1 and decrements it).
public struct EventFD: Sendable {
    public let handle: FileDescriptorHandle

    /// Wraps an eventfd, for example one received from a peer.
    public init(adopting handle: FileDescriptorHandle) {
        self.handle = handle
    }

    public static func create(initialValue: UInt32 = 0, nonblocking: Bool = false, semaphore: Bool = false) throws(SystemError) -> EventFD {
        let fd = try retryingOnInterrupt("eventfd") {
            porthole_eventfd_create(initialValue, nonblocking ? 1 : 0, semaphore ? 1 : 0)
        }
        return EventFD(adopting: FileDescriptorHandle(adopting: fd))
    }

    /// Adds `value` to the counter. On a nonblocking eventfd whose counter would overflow this
    /// throws EAGAIN; a blocking one waits for a read.
    public func signal(_ value: UInt64 = 1) throws(SystemError) {
        let fd = handle.rawValue
        _ = try retryingOnInterrupt("eventfd write(\(fd))") { porthole_eventfd_write(fd, value) }
    }

    /// Reads the counter. Returns nil when the eventfd is nonblocking and the counter is zero;
    /// a blocking eventfd waits for a signal.
    public func read() throws(SystemError) -> UInt64? {
        let fd = handle.rawValue
        var value: UInt64 = 0
        do {
            _ = try retryingOnInterrupt("eventfd read(\(fd))") { porthole_eventfd_read(fd, &value) }
        } catch where error.isWouldBlock {
            return nil
        }
        return value
    }
}
