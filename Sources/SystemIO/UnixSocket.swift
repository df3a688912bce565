#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// AF_UNIX SOCK_STREAM sockets (unix(7)): connecting, socket pairs, blocking mode and peer
/// credentials. Listening lives in `UnixSocketListener`; sending bytes with fds in
/// `FDPassingConnection`.
///
/// Every socket is created with SOCK_CLOEXEC so fds never leak into child processes.
public enum UnixSocket {
    /// The peer process of a connected socket, from SO_PEERCRED (unix(7)): the credentials at the
    /// time the peer called connect(2) or socketpair(2).
    public struct PeerCredentials: Equatable, Sendable {
        public let pid: Int32
        public let uid: UInt32
        public let gid: UInt32
    }

    /// Connects to the socket at `path`. The connect itself blocks (on AF_UNIX it only waits when
    /// the listener's backlog is full); `nonblocking` sets O_NONBLOCK afterwards.
    public static func connect(path: String, nonblocking: Bool = false) throws(SystemError) -> FileDescriptorHandle {
        let socket = FileDescriptorHandle(adopting: try retryingOnInterrupt("socket(AF_UNIX)") { porthole_unix_socket(0) })
        while porthole_unix_connect(socket.rawValue, path) != 0 {
            let code = Glibc.errno
            // connect(2): after EINTR the connection completes in the background; a retry then
            // reports EISCONN, which is success.
            if code == EINTR { continue }
            if code == EISCONN { break }
            throw SystemError(operation: "connect(\(path))", errno: code)
        }
        if nonblocking { try setNonblocking(socket, true) }
        return socket
    }

    /// A connected pair of sockets (socketpair(2)), both ends CLOEXEC.
    public static func pair(nonblocking: Bool = false) throws(SystemError) -> (FileDescriptorHandle, FileDescriptorHandle) {
        var fds: (Int32, Int32) = (-1, -1)
        let result = withUnsafeMutableBytes(of: &fds) { buffer in
            porthole_unix_socketpair(nonblocking ? 1 : 0, buffer.baseAddress!.assumingMemoryBound(to: Int32.self))
        }
        if result != 0 { throw SystemError.last("socketpair(AF_UNIX)") }
        return (FileDescriptorHandle(adopting: fds.0), FileDescriptorHandle(adopting: fds.1))
    }

    /// Sets or clears O_NONBLOCK.
    public static func setNonblocking(_ socket: FileDescriptorHandle, _ nonblocking: Bool) throws(SystemError) {
        let fd = socket.rawValue
        _ = try retryingOnInterrupt("fcntl(\(fd), F_SETFL, O_NONBLOCK)") { porthole_set_nonblocking(fd, nonblocking ? 1 : 0) }
    }

    /// SO_PEERCRED of a connected socket.
    public static func peerCredentials(_ socket: FileDescriptorHandle) throws(SystemError) -> PeerCredentials {
        var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
        let fd = socket.rawValue
        _ = try retryingOnInterrupt("getsockopt(\(fd), SO_PEERCRED)") { porthole_peer_credentials(fd, &pid, &uid, &gid) }
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }
}
