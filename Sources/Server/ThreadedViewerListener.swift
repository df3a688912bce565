#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import SystemIO

/// The RFB port of an output whose frames are made on an `EventThread` (a display-device output,
/// the X11 mirror), listened on by that thread, so that its plain TCP viewers are served there
/// (`SocketViewerTransport`) and get each frame in the run of the thread that made it.
///
/// It tells native viewers from browsers as `TransportSniffer` does in NIO (`TransportKind`: a
/// browser speaks first, an HTTP GET; a native viewer stays silent until the server's
/// ProtocolVersion, RFC 6143 §7.1.1). A browser's socket is handed to NIO with the bytes read so
/// far (`handOver`), where the WebSocket pipeline serves it as on any other port.
final class ThreadedViewerListener: @unchecked Sendable {
    let localAddress: SocketAddress
    let thread: EventThread
    private let listenFD: Int32
    private let sniffTimeout: UInt64
    private let logger: Logger
    /// Makes the connection of a native viewer and sets it as the transport's.
    private let makeViewer: (SocketViewerTransport) -> Void
    /// Gives NIO a browser's socket and what it sent so far.
    private let handOver: (Int32, ByteBuffer) -> Void
    private let closedPromise: EventLoopPromise<Void>

    // Confined to `thread`.
    private var listenWatch: ListenerWatch?
    private var sniffing: [Int32: Sniffing] = [:]
    private var viewers: [ObjectIdentifier: SocketViewerTransport] = [:]
    private var closed = false

    /// A connection whose transport is not known yet.
    private struct Sniffing {
        var watch: FDWatch
        var timer: EventTimer
        var received: ByteBuffer
        var remoteAddress: SocketAddress?
    }

    /// Binds and listens on `host`:`port` (0 picks a free port); serving starts with `start`.
    init(host: String, port: Int, thread: EventThread, sniffTimeout: Double, closedPromise: EventLoopPromise<Void>, logger: Logger,
         makeViewer: @escaping (SocketViewerTransport) -> Void, handOver: @escaping (Int32, ByteBuffer) -> Void) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let fd = Glibc.socket(address.protocol.rawValue, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(operation: "socket(\(host))", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let error = SystemError(operation: bound == 0 ? "listen(\(address))" : "bind(\(address))", errno: errno)
            Glibc.close(fd)
            throw error
        }
        guard let local = Self.address(of: fd, peer: false) else {
            let error = SystemError(operation: "getsockname(\(address))", errno: errno)
            Glibc.close(fd)
            throw error
        }
        listenFD = fd
        localAddress = local
        self.thread = thread
        self.sniffTimeout = UInt64(max(0, sniffTimeout) * 1e9)
        self.closedPromise = closedPromise
        self.logger = logger
        self.makeViewer = makeViewer
        self.handOver = handOver
    }

    /// Starts accepting on the thread.
    func start() {
        thread.execute { [self] in
            guard !closed else { return }
            let watch = ListenerWatch(thread: thread, fd: listenFD, accept: { [unowned self] in acceptAll() })
            listenWatch = watch
            do {
                try watch.start()
            } catch {
                logger.error("cannot watch the RFB port \(localAddress): \(error)")
            }
        }
    }

    /// Completed once `close` has run.
    var closeFuture: EventLoopFuture<Void> { closedPromise.futureResult }

    /// Stops listening and closes every connection this listener serves (browsers handed to NIO
    /// close with NIO's event loops).
    func close() {
        thread.sync {
            guard !closed else { return }
            closed = true
            listenWatch?.cancel()
            listenWatch = nil
            Glibc.close(listenFD)
            for (fd, entry) in sniffing {
                entry.watch.cancel()
                entry.timer.cancel()
                Glibc.close(fd)
            }
            sniffing.removeAll()
            for viewer in viewers.values { viewer.close() }
        }
        closedPromise.succeed(())
    }

    // MARK: - On the thread

    private func acceptAll() {
        while !closed {
            let fd = Glibc.accept(listenFD, nil, nil)
            if fd < 0 {
                let code = errno
                // accept(2): a connection reset before it was accepted, or a signal; try the next.
                if code == EINTR || code == ECONNABORTED { continue }
                if !AcceptBackoff.isTransient(errno: code), let listenWatch {
                    // EMFILE and the like: the connection stays queued; pause (AcceptBackoff says why).
                    let pause = listenWatch.failed()
                    if pause.report {
                        logger.error("cannot accept viewers on \(localAddress): \(SystemError(operation: "accept", errno: code)); waiting viewers stay queued, trying again in \(pause.nanoseconds / 1_000_000) ms")
                    }
                }
                return
            }
            if let failures = listenWatch?.accepted() {
                logger.notice("accepting viewers on \(localAddress) again, after \(failures) failed attempts")
            }
            // accept4 is not in Swift's Glibc module; two fcntl calls per viewer cost nothing.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let watch = thread.watch(fd, onReadable: { [unowned self] in sniffRead(fd) })
            let timer = thread.makeTimer { [unowned self] in decide(fd, .rfb) }
            sniffing[fd] = Sniffing(watch: watch, timer: timer, received: ByteBuffer(), remoteAddress: Self.address(of: fd, peer: true))
            do {
                try watch.setInterest(readable: true, writable: false)
            } catch {
                drop(fd, why: "cannot watch it: \(error)")
                continue
            }
            timer.schedule(afterNanoseconds: sniffTimeout)
        }
    }

    private func sniffRead(_ fd: Int32) {
        guard var entry = sniffing[fd] else { return }
        var result = 0
        var code: Int32 = 0
        repeat {
            entry.received.writeWithUnsafeMutableBytes(minimumWritableBytes: 1024) { pointer in
                result = Glibc.read(fd, pointer.baseAddress, pointer.count)
                code = result < 0 ? errno : 0
                return max(result, 0)
            }
        } while result < 0 && code == EINTR
        sniffing[fd] = entry
        if result == 0 {
            drop(fd, why: "closed before it spoke")
            return
        }
        if result < 0 {
            if code != EAGAIN && code != EWOULDBLOCK { drop(fd, why: "\(SystemError(operation: "read", errno: code))") }
            return
        }
        // Four bytes decide (`TransportKind`), so `received` never grows past one read.
        let kind = TransportKind.classify(entry.received.readableBytesView)
        if kind != .undecided { decide(fd, kind) }
    }

    private func decide(_ fd: Int32, _ kind: TransportKind) {
        guard let entry = sniffing.removeValue(forKey: fd) else { return }
        entry.watch.cancel()
        entry.timer.cancel()
        switch kind {
        case .webSocket:
            logger.debug("connection from \(entry.remoteAddress?.peerDescription ?? "unknown") speaks HTTP: WebSocket transport")
            handOver(fd, entry.received)
        case .rfb, .undecided:
            let transport = SocketViewerTransport(thread: thread, fd: fd, remoteAddress: entry.remoteAddress) { [weak self] transport in
                self?.viewers[ObjectIdentifier(transport)] = nil
            }
            viewers[ObjectIdentifier(transport)] = transport
            makeViewer(transport)
            transport.start(early: entry.received)
        }
    }

    private func drop(_ fd: Int32, why: String) {
        guard let entry = sniffing.removeValue(forKey: fd) else { return }
        entry.watch.cancel()
        entry.timer.cancel()
        Glibc.close(fd)
        logger.debug("connection from \(entry.remoteAddress?.peerDescription ?? "unknown") \(why)")
    }

    /// The socket's own (getsockname) or its peer's (getpeername) address.
    private static func address(of fd: Int32, peer: Bool) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return SocketAddress(address, host: "")
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            return SocketAddress(address, host: "")
        default:
            return nil
        }
    }
}
