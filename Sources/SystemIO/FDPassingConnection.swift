#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// Bytes plus fds over a connected AF_UNIX SOCK_STREAM socket: sendmsg(2)/recvmsg(2) with
/// SCM_RIGHTS ancillary data (unix(7), cmsg(3)).
///
/// SwiftNIO cannot pass fds, so the display-device sockets use this directly (or through
/// `FDPassingChannel` for event-driven use). The CMSG_* work is in C (`porthole_send_with_fds`,
/// `porthole_recv_with_fds`) because those macros do not import into Swift.
///
/// - EINTR is retried everywhere.
/// - On a nonblocking socket `trySend` and `receive` return nil instead of throwing EAGAIN.
/// - Sends use MSG_NOSIGNAL: a vanished peer is an EPIPE error, not a SIGPIPE.
/// - Receives use MSG_CMSG_CLOEXEC, so received fds never leak into child processes, and every fd
///   received is owned by a `FileDescriptorHandle` or closed at once.
///
/// The struct itself holds no state besides the socket; use it from one thread at a time per
/// direction.
public struct FDPassingConnection: Sendable {
    /// At most this many fds per send (SCM_MAX_FD).
    public static let maxFdsPerMessage = Int(PORTHOLE_MAX_FDS_PER_MESSAGE)

    public let handle: FileDescriptorHandle

    public init(_ handle: FileDescriptorHandle) {
        self.handle = handle
    }

    /// One sendmsg(2): as many of `bytes` as the socket takes now, with `fds` attached to the first
    /// of them. Returns the number of bytes sent (at least 1 when bytes is not empty), or nil when
    /// a nonblocking socket has no room (then nothing, fds included, was sent). Sending fds needs
    /// at least one byte: a stream socket drops ancillary data sent with no bytes.
    public func trySend(_ bytes: UnsafeRawBufferPointer, fds: [Int32] = []) throws(SystemError) -> Int? {
        precondition(fds.count <= Self.maxFdsPerMessage, "at most \(Self.maxFdsPerMessage) fds per message")
        precondition(fds.isEmpty || !bytes.isEmpty, "fds must travel with at least one byte")
        let socket = handle.rawValue
        do {
            let sent = try retryingOnInterrupt("sendmsg(\(socket), \(bytes.count) bytes, \(fds.count) fds)") {
                fds.withUnsafeBufferPointer { fdBuffer in
                    porthole_send_with_fds(socket, bytes.baseAddress, bytes.count, fdBuffer.baseAddress, fdBuffer.count, 0)
                }
            }
            return Int(sent)
        } catch where error.isWouldBlock {
            return nil
        }
    }

    /// Sends all of `bytes` with `fds`, waiting with poll(2) while a nonblocking socket is full.
    /// For blocking use (tools, tests); event-driven code uses `FDPassingChannel`.
    public func send(_ bytes: [UInt8], fds: [FileDescriptorHandle] = []) throws(SystemError) {
        var offset = 0
        var pendingFds = fds.map(\.rawValue)
        while offset < bytes.count {
            let sent = try bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemError) -> Int? in
                    try trySend(UnsafeRawBufferPointer(rebasing: buffer[offset...]), fds: pendingFds)
                }
            }.get()
            if let sent {
                offset += sent
                pendingFds = []
            } else {
                try waitUntilWritable()
            }
        }
        withExtendedLifetime(fds) {}
    }

    /// One recvmsg(2) of at most `maxBytes` bytes and `maxFds` fds. Returns nil when a nonblocking
    /// socket has nothing; a chunk with `isEndOfStream` when the peer closed.
    public func receive(maxBytes: Int, maxFds: Int) throws(SystemError) -> ReceivedChunk? {
        precondition(maxBytes > 0, "receive needs room for at least one byte")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxBytes, alignment: 1)
        defer { buffer.deallocate() }
        return try receive(into: buffer, maxFds: maxFds)
    }

    /// One recvmsg(2) into `buffer` (a reader's scratch space, reused from read to read) and of at
    /// most `maxFds` fds; the chunk holds a copy of the bytes received. Returns nil when a
    /// nonblocking socket has nothing; a chunk with `isEndOfStream` when the peer closed.
    ///
    /// An event-driven reader reads until the socket would block, so nearly every read of a small
    /// message is followed by one that finds nothing: that answer builds no error, and neither
    /// read allocates or clears a buffer of `buffer.count` bytes (at 64 KiB, a clear and an
    /// allocation per read were a measurable part of a small commit's cost on the device thread).
    public func receive(into buffer: UnsafeMutableRawBufferPointer, maxFds: Int) throws(SystemError) -> ReceivedChunk? {
        precondition(buffer.count > 0, "receive needs room for at least one byte")
        let fdLimit = min(max(maxFds, 0), Self.maxFdsPerMessage)
        let socket = handle.rawValue
        var fdCount = 0, dropped = 0
        var controlTruncated: Int32 = 0
        let (result, code, fds) = withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(fdLimit, 1)) { fdBuffer in
            var result: Int
            repeat {
                result = porthole_recv_with_fds(socket, buffer.baseAddress, buffer.count, fdBuffer.baseAddress, fdLimit,
                                                &fdCount, &dropped, &controlTruncated, 0)
            } while result < 0 && errno == EINTR
            let code = result < 0 ? errno : 0
            return (result, code, result < 0 ? [] : Array(fdBuffer.prefix(fdCount)))
        }
        if result < 0 {
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError(operation: "recvmsg(\(socket))", errno: code)
        }
        let handles = fds.map { FileDescriptorHandle(adopting: $0) }
        return ReceivedChunk(bytes: Array(UnsafeRawBufferPointer(rebasing: buffer[..<result])), fds: handles,
                             fdsTruncated: controlTruncated != 0 || dropped > 0, isEndOfStream: result == 0 && handles.isEmpty)
    }

    /// poll(2) for POLLOUT, retrying EINTR.
    public func waitUntilWritable(timeoutMilliseconds: Int32 = -1) throws(SystemError) {
        var descriptor = pollfd(fd: handle.rawValue, events: Int16(POLLOUT), revents: 0)
        _ = try retryingOnInterrupt("poll(\(descriptor.fd), POLLOUT)") { poll(&descriptor, 1, timeoutMilliseconds) }
    }
}
