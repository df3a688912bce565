/// What one recvmsg(2) on a stream socket returned: bytes, the fds that came with them, and
/// whether fds were lost.
///
/// On a SOCK_STREAM socket message boundaries do not survive: a chunk may hold the end of one
/// message and the start of the next, and a message may take several chunks. Fds sent with a
/// sendmsg(2) arrive in the chunk that holds the first byte of that send (unix(7): "the file
/// descriptors ... are delivered along with the first byte"), never earlier. A protocol decoder
/// therefore keeps received fds in a queue and takes them when it decodes the message that
/// announces them.
public struct ReceivedChunk: Sendable {
    public var bytes: [UInt8]
    /// The fds received, owned (CLOEXEC: they were received with MSG_CMSG_CLOEXEC).
    public var fds: [FileDescriptorHandle]
    /// True when the peer sent more fds than the receiver allowed: the kernel reported
    /// MSG_CTRUNC, or fds beyond the limit arrived and were closed. The fds are gone; a server
    /// should treat this as a protocol error and disconnect the peer.
    public var fdsTruncated: Bool
    /// True when the peer closed its end (recvmsg returned 0); bytes and fds are empty then.
    public var isEndOfStream: Bool

    public init(bytes: [UInt8], fds: [FileDescriptorHandle], fdsTruncated: Bool, isEndOfStream: Bool) {
        self.bytes = bytes
        self.fds = fds
        self.fdsTruncated = fdsTruncated
        self.isEndOfStream = isEndOfStream
    }
}
