import Glibc
import NIOCore

/// A blocking TCP connection to a server on 127.0.0.1, as the benchmarks' measuring viewers use
/// it: Nagle off (a viewer's small requests must not wait for the previous reply), and writes
/// that go on until everything is sent. Benchmarks measure the server, so the viewer side stays a
/// plain socket rather than an event loop of its own.
public struct LoopbackSocket {
    public let fd: Int32

    /// Connects to 127.0.0.1:`port`, trying `attempts` times `retryPause` seconds apart (a server
    /// just started may not listen yet). Nil when every attempt failed.
    public static func connect(port: UInt16, attempts: Int = 1, retryPause: Double = 0.1) -> LoopbackSocket? {
        for attempt in 0..<max(1, attempts) {
            if attempt > 0 { usleep(useconds_t(retryPause * 1_000_000)) }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return LoopbackSocket(fd: fd)
            }
            close(fd)
        }
        return nil
    }

    /// Writes all of `buffer`; false when the connection failed.
    public func send(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { Self.writeAll(fd, $0) }
    }

    /// Writes all of `bytes` to the blocking descriptor `fd`, however many writes it takes; false
    /// when a write failed (the peer went away).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
