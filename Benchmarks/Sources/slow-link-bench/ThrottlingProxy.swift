import BenchSupport
import Foundation
import Glibc

/// A loopback proxy that plays a slow link between a viewer and a server (bench/slow-link.sh,
/// docs/benchmarks.md "A slow link"): bytes from the server cross it at `bytesPerSecond`, one
/// after the other, and arrive `latency` later; the viewer's bytes pass at once. Like a router
/// with a shallow queue, it takes bytes from the server only while fewer than `queueLimit` are
/// waiting, so the rest of any backlog stays where it builds on a real slow link: in the kernel's
/// socket buffers (the server's send queue, this proxy's receive queue).
final class ThrottlingProxy: @unchecked Sendable {
    let bytesPerSecond: Double
    let latency: Double
    let queueLimit: Int
    private let listener: Int32
    let port: UInt16
    private let lock = NSLock()
    private var queued = 0
    /// The local port of the connection to the server (to find its send queue in /proc/net/tcp).
    private(set) var upstreamLocalPort: UInt16 = 0
    private var upstreamFD: Int32 = -1

    /// `queueLimit` counts the bytes waiting for the link beyond those the link itself holds
    /// (bandwidth × latency), so the link can run at its full rate.
    init(bytesPerSecond: Double, latency: Double, queueLimit: Int = 64 * 1024) {
        self.bytesPerSecond = bytesPerSecond
        self.latency = latency
        self.queueLimit = queueLimit + Int(bytesPerSecond * latency)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { getsockname(fd, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &length) }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Bytes taken from the server and not yet delivered, plus those waiting in this proxy's
    /// receive queue.
    var backlogInProxy: Int {
        var unread: Int32 = 0
        let fd = lock.withLock { upstreamFD }
        if fd >= 0 { _ = ioctl(fd, UInt(FIONREAD), &unread) }
        return lock.withLock { queued } + Int(unread)
    }

    /// Accepts one viewer and relays it to 127.0.0.1:`serverPort` on a thread of its own.
    func start(serverPort: UInt16) {
        Thread.detachNewThread { self.run(serverPort: serverPort) }
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func run(serverPort: UInt16) {
        let viewer = accept(listener, nil, nil)
        var server: Int32 = -1
        for _ in 0..<100 {
            server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = serverPort.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if rc == 0 { break }
            close(server)
            server = -1
            usleep(100_000)
        }
        guard viewer >= 0, server >= 0 else { return }
        var one: Int32 = 1
        setsockopt(viewer, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { getsockname(server, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &length) }
        lock.withLock { upstreamLocalPort = UInt16(bigEndian: local.sin_port); upstreamFD = server }

        var inTransit: [(arrival: Double, bytes: [UInt8])] = []
        var linkFreeAt = 0.0
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let now = Self.now()
            while let first = inTransit.first, first.arrival <= now {
                inTransit.removeFirst()
                if !writeAll(viewer, first.bytes) { return }
                lock.withLock { queued -= first.bytes.count }
            }
            let roomForMore = lock.withLock { queued } < queueLimit
            var fds = [pollfd(fd: viewer, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: server, events: roomForMore ? Int16(POLLIN) : 0, revents: 0)]
            let wait = inTransit.first.map { max(0, Int32(($0.arrival - now) * 1000)) } ?? 50
            guard poll(&fds, 2, min(wait, 50)) >= 0 else { return }
            if fds[0].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(viewer, $0.baseAddress!, $0.count) }
                if n <= 0 || !writeAll(server, Array(chunk[0..<n])) { return }
            }
            if fds[1].revents != 0 {
                // At most one link slot's worth at a time keeps the queue near its limit.
                let n = chunk.withUnsafeMutableBytes { read(server, $0.baseAddress!, min($0.count, queueLimit)) }
                if n <= 0 { return }
                linkFreeAt = max(linkFreeAt, Self.now()) + Double(n) / bytesPerSecond
                inTransit.append((linkFreeAt + latency, Array(chunk[0..<n])))
                lock.withLock { queued += n }
            }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { LoopbackSocket.writeAll(fd, $0) }
    }
}
