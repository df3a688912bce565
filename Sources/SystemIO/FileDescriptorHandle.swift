#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Owns one file descriptor and closes it exactly once: at `close()`, or when the last reference
/// goes away.
///
/// Fds received over a socket or created by SystemIO are wrapped at once, so an error path cannot
/// leak them. It is a class rather than a noncopyable struct so handles can sit in arrays, be
/// queued for sending and be shared with dispatch sources. `take()` hands the raw fd to code that
/// will close it itself (for example `xcb_shm_attach_fd`); `duplicate()` makes an independent
/// CLOEXEC copy (fcntl(2) F_DUPFD_CLOEXEC).
///
/// Threading: the open/closed state is atomic, so `close()` and `take()` from two threads release
/// the fd once. Using `rawValue` on one thread while another closes the handle is still a bug (the
/// number may be reused), as with any fd.
public final class FileDescriptorHandle: Sendable, CustomStringConvertible {
    private let state: Atomic<Int32>

    /// Takes ownership of `fd`, which must be open.
    public init(adopting fd: Int32) {
        precondition(fd >= 0, "FileDescriptorHandle needs an open fd, got \(fd)")
        state = Atomic(fd)
    }

    deinit {
        let fd = state.load(ordering: .acquiring)
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// The fd number. Traps if the handle was closed or taken.
    public var rawValue: Int32 {
        let fd = state.load(ordering: .acquiring)
        precondition(fd >= 0, "use of a closed FileDescriptorHandle")
        return fd
    }

    public var isOpen: Bool { state.load(ordering: .acquiring) >= 0 }

    /// Closes the fd; later calls do nothing. close(2): on Linux the fd is released even when
    /// close reports an error (EINTR included), so it is never retried.
    public func close() throws(SystemError) {
        let fd = state.exchange(-1, ordering: .acquiringAndReleasing)
        guard fd >= 0 else { return }
        if Glibc.close(fd) != 0, Glibc.errno != EINTR {
            throw SystemError.last("close(\(fd))")
        }
    }

    /// Gives up ownership and returns the fd; the caller now closes it. Traps if already closed.
    public func take() -> Int32 {
        let fd = state.exchange(-1, ordering: .acquiringAndReleasing)
        precondition(fd >= 0, "take() of a closed FileDescriptorHandle")
        return fd
    }

    /// A new fd for the same open file description, with FD_CLOEXEC set.
    public func duplicate() throws(SystemError) -> FileDescriptorHandle {
        let fd = rawValue
        let copy = try retryingOnInterrupt("fcntl(\(fd), F_DUPFD_CLOEXEC)") { fcntl(fd, F_DUPFD_CLOEXEC, 0) }
        return FileDescriptorHandle(adopting: copy)
    }

    /// Whether FD_CLOEXEC is set (fcntl(2) F_GETFD).
    public func isCloseOnExec() throws(SystemError) -> Bool {
        let fd = rawValue
        let flags = try retryingOnInterrupt("fcntl(\(fd), F_GETFD)") { fcntl(fd, F_GETFD) }
        return flags & FD_CLOEXEC != 0
    }

    /// The file size from fstat(2).
    public func fileSize() throws(SystemError) -> Int {
        let fd = rawValue
        var st = stat()
        _ = try retryingOnInterrupt("fstat(\(fd))") { fstat(fd, &st) }
        return Int(st.st_size)
    }

    public var description: String {
        let fd = state.load(ordering: .acquiring)
        return fd >= 0 ? "fd \(fd)" : "closed fd"
    }
}
