#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SystemIO

/// A plain TCP viewer served on an `EventThread` (the display device's), not in NIO.
///
/// The device composes and publishes a frame on its thread; a viewer in NIO then gets the frame
/// through a wake-up of its event loop (an eventfd write, the loop's epoll return and read), and
/// the update is encoded and written there. Served here, the viewer encodes and writes the
/// update in the same run of the thread that composed it (`deliver` runs at once), which is most
/// of what a small update costs beyond its encoding (docs/benchmarks.md, "Viewers on the
/// device's thread").
///
/// Reads are level-triggered on the thread's epoll; writes go straight to the socket and only what
/// it does not take waits, in order, for it to become writable. Everything runs on the thread
/// except `deliver` and `execute`, which hand work to it.
final class SocketViewerTransport: ViewerTransport, @unchecked Sendable {
    private let thread: EventThread
    private let fd: Int32
    let remoteAddress: SocketAddress?
    /// Set once by whoever made the transport; dropped once the connection has heard it closed.
    var connection: ViewerConnection?
    private var watch: FDWatch?
    private var waiting = CircularBuffer<(bytes: ByteBuffer, sent: ((Bool) -> Void)?)>()
    private var closed = false
    /// The next read's buffer size: doubled while reads fill it, as NIO's adaptive allocator does.
    private var readSize = 2048
    private static let largestRead = 64 << 10
    /// Told once the connection closed, so its owner can forget it (`ThreadedViewerListener`).
    private let onClosed: (SocketViewerTransport) -> Void

    /// Takes ownership of `fd`, a connected, non-blocking TCP socket.
    init(thread: EventThread, fd: Int32, remoteAddress: SocketAddress?, onClosed: @escaping (SocketViewerTransport) -> Void) {
        self.thread = thread
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.onClosed = onClosed
    }

    /// Starts reading and tells the connection it is open; `early` are bytes the viewer sent before
    /// (read while its transport was being told apart, `ThreadedViewerListener`).
    func start(early: ByteBuffer?) {
        let watch = thread.watch(fd, onReadable: { [unowned self] in readable() }, onWritable: { [unowned self] in writable() })
        self.watch = watch
        do {
            try watch.setInterest(readable: true, writable: false)
        } catch {
            close()
            return
        }
        connection?.connected()
        if let early, early.readableBytes > 0, !closed { connection?.received(early) }
    }

    // MARK: - ViewerTransport

    func write(_ bytes: ByteBuffer, sent: ((Bool) -> Void)?) {
        guard !closed else { sent?(false); return }
        var bytes = bytes
        if waiting.isEmpty {
            switch send(&bytes) {
            case .all:
                sent?(true)
                return
            case .some:
                break
            case .failed(let error):
                sent?(false)
                fail(error)
                return
            }
        }
        waiting.append((bytes, sent))
        setInterest(writable: true)
    }

    func schedule(at deadline: NIODeadline, _ body: @escaping () -> Void) -> ViewerTimer {
        let timer = thread.makeTimer(body)
        timer.schedule(at: UInt64(max(0, deadline.uptimeNanoseconds)))
        return timer
    }

    func execute(_ body: @escaping @Sendable () -> Void) {
        thread.execute(body)
    }

    /// At once on the thread: the device publishes there, and this is the hand-off it saves.
    func deliver(_ body: @escaping @Sendable () -> Void) {
        if thread.isCurrent { body() } else { thread.execute(body) }
    }

    /// Closes the socket; writes still waiting learn they were not sent, and the connection hears
    /// `disconnected` in a later run of the thread, never inside its own call to close.
    func close() {
        guard !closed else { return }
        closed = true
        watch?.cancel()
        watch = nil
        _ = Glibc.close(fd)
        let unsent = waiting
        waiting.removeAll()
        for entry in unsent { entry.sent?(false) }
        thread.execute { [self] in
            connection?.disconnected()
            connection = nil
            onClosed(self)
        }
    }

    // MARK: - The socket

    private func readable() {
        guard !closed else { return }
        var buffer = ByteBufferAllocator().buffer(capacity: readSize)
        var result = 0
        var code: Int32 = 0
        repeat {
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: readSize) { pointer in
                result = Glibc.read(fd, pointer.baseAddress, pointer.count)
                code = result < 0 ? errno : 0
                return max(result, 0)
            }
        } while result < 0 && code == EINTR
        if result > 0 {
            if result == readSize { readSize = min(readSize * 2, Self.largestRead) }
            connection?.received(buffer)
        } else if result == 0 {
            close()
        } else if code != EAGAIN && code != EWOULDBLOCK {
            fail(SystemError(operation: "read(viewer socket)", errno: code))
        }
    }

    private func writable() {
        while !closed, var entry = waiting.first {
            switch send(&entry.bytes) {
            case .all:
                waiting.removeFirst()
                entry.sent?(true)
            case .some:
                waiting[waiting.startIndex] = entry
                return
            case .failed(let error):
                fail(error)
                return
            }
        }
        if !closed { setInterest(writable: false) }
    }

    private enum SendResult { case all, some, failed(SystemError) }

    /// Writes as much of `bytes` as the socket takes (MSG_NOSIGNAL: a viewer that went away is an
    /// EPIPE for this connection, not a SIGPIPE for the server), moving its reader index.
    private func send(_ bytes: inout ByteBuffer) -> SendResult {
        while bytes.readableBytes > 0 {
            let written = bytes.withUnsafeReadableBytes { pointer in
                Glibc.send(fd, pointer.baseAddress, pointer.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .some }
                return .failed(SystemError(operation: "send(viewer socket)", errno: code))
            }
            bytes.moveReaderIndex(forwardBy: written)
        }
        return .all
    }

    private func setInterest(writable: Bool) {
        guard let watch, watch.wantsWritable != writable else { return }
        do {
            try watch.setInterest(readable: true, writable: writable)
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: Error) {
        guard !closed else { return }
        if let connection { connection.failed(error) }
        close()
    }
}

extension EventTimer: ViewerTimer {}
