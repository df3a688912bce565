#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims
import Synchronization

/// A listening AF_UNIX SOCK_STREAM socket bound to a filesystem path (unix(7), bind(2),
/// listen(2), accept4(2)).
///
/// Path handling, so a restart after a crash just works and a second server cannot steal a live
/// socket:
/// - missing parent directories are created with mode 0700, so only this user reaches the socket
///   (existing directories are left as they are);
/// - the socket's directory must be safe (`SocketDirectoryCheck`): owned by this user or root,
///   and sticky if others may write to it, or nobody else could trust the socket there;
/// - an existing socket file nobody listens on (connect(2) gives ECONNREFUSED) is a stale leftover
///   and is unlinked; a socket someone still listens on fails with EADDRINUSE; a path that exists
///   but is not a socket is never removed and fails with EADDRINUSE;
/// - `close()` unlinks the path, but only if it still names the socket this listener created.
public final class UnixSocketListener: Sendable {
    public let path: String
    public let handle: FileDescriptorHandle
    private let identity: (device: UInt64, inode: UInt64)
    private let unlinked = Atomic<Bool>(false)

    /// Binds and listens. `nonblocking` makes the listening socket O_NONBLOCK, for use with a
    /// readiness source; `accept` then returns nil when no connection is waiting.
    public init(path: String, backlog: Int32 = 64, nonblocking: Bool = false) throws(SystemError) {
        self.path = path
        try Self.createParentDirectories(of: path)
        try SocketDirectoryCheck.verify(socketPath: path)
        try Self.removeStaleSocket(at: path)
        let socket = FileDescriptorHandle(adopting: try retryingOnInterrupt("socket(AF_UNIX)") { porthole_unix_socket(nonblocking ? 1 : 0) })
        if porthole_unix_bind(socket.rawValue, path) != 0 { throw SystemError.last("bind(\(path))") }
        var st = stat()
        if lstat(path, &st) != 0 { throw SystemError.last("lstat(\(path))") }
        identity = (UInt64(st.st_dev), UInt64(st.st_ino))
        if listen(socket.rawValue, backlog) != 0 {
            let error = SystemError.last("listen(\(path))")
            unlink(path)
            throw error
        }
        handle = socket
    }

    deinit {
        unlinkIfOurs()
    }

    /// Accepts one connection, CLOEXEC, optionally O_NONBLOCK. Returns nil when the listener is
    /// nonblocking and nobody is waiting.
    public func accept(nonblocking: Bool = false) throws(SystemError) -> FileDescriptorHandle? {
        let fd = handle.rawValue
        while true {
            let client = porthole_unix_accept(fd, nonblocking ? 1 : 0)
            if client >= 0 { return FileDescriptorHandle(adopting: client) }
            let error = SystemError.last("accept(\(path))")
            // accept(2): a connection that was reset before accept returns ECONNABORTED; try the next.
            if error.errno == EINTR || error.errno == ECONNABORTED { continue }
            if error.isWouldBlock { return nil }
            throw error
        }
    }

    /// Stops listening and unlinks the path if it is still this listener's socket.
    public func close() throws(SystemError) {
        unlinkIfOurs()
        try handle.close()
    }

    private func unlinkIfOurs() {
        guard !unlinked.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var st = stat()
        if lstat(path, &st) == 0, UInt64(st.st_dev) == identity.device, UInt64(st.st_ino) == identity.inode {
            unlink(path)
        }
    }

    private static func createParentDirectories(of path: String) throws(SystemError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let parent = String(path[..<slash])
        var partial = parent.hasPrefix("/") ? "" : "."
        for component in parent.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0, Glibc.errno != EEXIST {
                throw SystemError.last("mkdir(\(partial))")
            }
        }
    }

    private static func removeStaleSocket(at path: String) throws(SystemError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            if Glibc.errno == ENOENT { return }
            throw SystemError.last("lstat(\(path))")
        }
        guard st.st_mode & S_IFMT == S_IFSOCK else {
            throw SystemError(operation: "bind(\(path))", errno: EADDRINUSE, detail: "the path exists and is not a socket")
        }
        let probe = FileDescriptorHandle(adopting: try retryingOnInterrupt("socket(AF_UNIX)") { porthole_unix_socket(0) })
        if porthole_unix_connect(probe.rawValue, path) == 0 {
            throw SystemError(operation: "bind(\(path))", errno: EADDRINUSE, detail: "another process is listening on it")
        }
        let code = Glibc.errno
        guard code == ECONNREFUSED else { throw SystemError(operation: "connect(\(path))", errno: code, detail: "while probing for a stale socket") }
        if unlink(path) != 0, Glibc.errno != ENOENT { throw SystemError.last("unlink(\(path))") }
    }
}
