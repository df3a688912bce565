#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An event-driven connection that passes fds: the edge between a display-device socket and a
/// server built on SwiftNIO, which cannot pass fds itself.
///
/// Reading: while the (nonblocking) socket is readable, its `EventThread` reads it with recvmsg(2)
/// and hands every chunk, with the fds that came with it, to `onChunk`.
///
/// Writing: `send` never blocks. It appends to a queue and returns at once; the queue is flushed
/// on the channel's thread, which waits for the socket to be writable while it is full.
/// Queued messages without fds go out together, up to `maximumBatchBytes` per sendmsg; a message
/// with fds starts a sendmsg of its own, so its fds still arrive with its first byte.
/// The queue is bounded: when a peer stops reading and the queued bytes would pass
/// `maxQueuedBytes`, `send` refuses the message and returns `.queueLimitExceeded`, so the server
/// can disconnect that peer instead of buffering without end. (A single message larger than the
/// limit is still accepted when the queue is empty, so every message can be sent.)
/// Queued fd handles are kept alive until their bytes are on the socket, then released.
/// `notifyWhenDrained()` asks for one `onDrained` call once the queue is empty, so a server that
/// keeps its own (coalescing) queue in front of the channel hands over more only when the peer
/// has taken what was sent (docs/protocol.md §12).
///
/// Threading: `onChunk`, `onClose` and `onDrained` run on the channel's `EventThread`, one at a
/// time, never concurrently. A server whose state lives on that thread (the display device) gets
/// a chunk, and its replies are flushed, without any thread hop (a thread wake-up per message is
/// most of what a small commit costs, docs/benchmarks.md "Where the CPU goes"); without a thread
/// given, the channel runs one of its own. `send` and `close` may be called from any thread.
/// `onClose` runs exactly once (peer closed, error, or `close()`), after which no `onChunk`
/// follows and the socket is closed.
///
/// Lifetime: the thread holds the channel while it is open, so an open channel is not freed when
/// the caller drops it; it lives until `close()` or until the peer closes.
public final class FDPassingChannel: @unchecked Sendable {
    public enum CloseReason: Equatable, Sendable {
        /// The peer closed its end (or reset the connection).
        case peerClosed
        /// A send or receive failed.
        case error(SystemError)
        /// `close()` was called.
        case closedLocally
    }

    public enum SendResult: Equatable, Sendable {
        case queued
        /// The peer is not reading and the queue is full; nothing was queued.
        case queueLimitExceeded
        /// The channel is closed; nothing was queued.
        case closed
    }

    public struct Configuration: Sendable {
        /// Bytes read per recvmsg.
        public var maxReadBytes: Int = 64 * 1024
        /// Fds accepted per recvmsg; more are closed and reported as `fdsTruncated`.
        public var maxFdsPerRead: Int = 16
        /// Most bytes waiting in the send queue.
        public var maxQueuedBytes: Int = 4 * 1024 * 1024

        public init(maxReadBytes: Int = 64 * 1024, maxFdsPerRead: Int = 16, maxQueuedBytes: Int = 4 * 1024 * 1024) {
            self.maxReadBytes = maxReadBytes
            self.maxFdsPerRead = maxFdsPerRead
            self.maxQueuedBytes = maxQueuedBytes
        }
    }

    private struct Outgoing {
        var bytes: [UInt8]
        var offset: Int
        var fds: [FileDescriptorHandle]
    }

    private struct SendState {
        var queue: [Outgoing] = []
        var head = 0
        var queuedBytes = 0
        var flushScheduled = false
        var closed = false
        var drainNoticeRequested = false
    }

    public let configuration: Configuration
    private let connection: FDPassingConnection
    private let thread: EventThread
    /// Whether the channel started `thread` itself (and so ends it when it closes).
    private let ownsThread: Bool
    private let onChunk: @Sendable (ReceivedChunk) -> Void
    private let onClose: @Sendable (CloseReason) -> Void
    private let onDrained: (@Sendable () -> Void)?
    private let sendState = Mutex(SendState())

    // Confined to `thread`.
    /// Consecutive queued messages without fds, copied together so that one sendmsg carries them.
    private var batch: [UInt8] = []
    private var watch: FDWatch?
    /// Whether a flush waits for the socket to take more.
    private var waitingForWritable = false
    private var shutDown = false
    private var started = false
    /// Where each read lands before its bytes are copied into the chunk: allocated at the first
    /// read, freed with the channel.
    private var readBuffer: UnsafeMutableRawBufferPointer?
    /// sendmsg calls made so far (read on the thread): how well writes were batched.
    public private(set) var writeCalls = 0

    deinit { readBuffer?.deallocate() }

    /// Takes ownership of a connected AF_UNIX stream socket and makes it nonblocking. Nothing is
    /// read until `start()`. Without a `thread`, the channel starts one named `label`.
    public init(socket: FileDescriptorHandle, configuration: Configuration = Configuration(), label: String = "porthole.fd-channel",
                onChunk: @escaping @Sendable (ReceivedChunk) -> Void, onClose: @escaping @Sendable (CloseReason) -> Void,
                onDrained: (@Sendable () -> Void)? = nil, thread: EventThread? = nil) throws(SystemError) {
        try UnixSocket.setNonblocking(socket, true)
        self.connection = FDPassingConnection(socket)
        self.configuration = configuration
        if let thread {
            self.thread = thread
            ownsThread = false
        } else {
            self.thread = try EventThread(name: label)
            ownsThread = true
        }
        self.onChunk = onChunk
        self.onClose = onClose
        self.onDrained = onDrained
    }

    /// Starts reading.
    public func start() {
        thread.execute { [self] in
            guard !started, !shutDown else { return }
            started = true
            updateInterest()
        }
    }

    /// Queues `bytes` with `fds` attached to their first byte. Never blocks. Fds need at least one
    /// byte to travel with, and at most `FDPassingConnection.maxFdsPerMessage` per message.
    @discardableResult
    public func send(_ bytes: [UInt8], fds: [FileDescriptorHandle] = []) -> SendResult {
        precondition(fds.isEmpty || !bytes.isEmpty, "fds must travel with at least one byte")
        precondition(fds.count <= FDPassingConnection.maxFdsPerMessage, "at most \(FDPassingConnection.maxFdsPerMessage) fds per message")
        guard !bytes.isEmpty else { return .queued }
        let (result, schedule) = sendState.withLock { state -> (SendResult, Bool) in
            if state.closed { return (.closed, false) }
            if state.queuedBytes > 0, state.queuedBytes + bytes.count > configuration.maxQueuedBytes {
                return (.queueLimitExceeded, false)
            }
            state.queue.append(Outgoing(bytes: bytes, offset: 0, fds: fds))
            state.queuedBytes += bytes.count
            if state.flushScheduled { return (.queued, false) }
            state.flushScheduled = true
            return (.queued, true)
        }
        if schedule { thread.execute { [self] in flush() } }
        return result
    }

    /// Asks for one `onDrained` call, on the channel's thread, as soon as no queued byte is left
    /// (at once when the queue is empty now). Nothing is called once the channel closed.
    public func notifyWhenDrained() {
        let drainedNow = sendState.withLock { state -> Bool in
            if state.closed { return false }
            if state.queuedBytes == 0, !state.flushScheduled { return true }
            state.drainNoticeRequested = true
            return false
        }
        if drainedNow { thread.execute { [self] in if !shutDown { onDrained?() } } }
    }

    /// Writes what the socket takes of the queue now, instead of in the flush `send` scheduled.
    /// For an owner whose work runs on the channel's thread: the scheduled flush cannot run until
    /// the owner's current work ends, and work that queues many messages (a burst of input routed
    /// to this client) would otherwise see the channel's backlog full while the socket still has
    /// room, and hold back or drop what the peer could read. Call it only on the channel's thread.
    public func flushNow() {
        precondition(thread.isCurrent, "FDPassingChannel.flushNow off the channel's thread")
        // Also while waiting for the socket to be writable: that report cannot come before the
        // owner's work ends, and the peer may have read since the socket was last full.
        guard started, !shutDown else { return }
        flush()
    }

    /// Bytes queued and not yet on the socket.
    public var queuedBytes: Int {
        sendState.withLock { $0.queuedBytes }
    }

    /// Closes the channel: queued data is dropped, `onClose(.closedLocally)` runs unless the
    /// channel had already closed, and the socket is closed.
    public func close() {
        thread.execute { [self] in shutdown(.closedLocally) }
    }

    // MARK: On the thread

    /// Watches the socket for reading once started, and for writing while a flush waits.
    private func updateInterest() {
        guard !shutDown else { return }
        if watch == nil {
            watch = thread.watch(connection.handle.rawValue, onReadable: { [self] in readAvailable() }, onWritable: { [self] in flush() })
        }
        do {
            try watch?.setInterest(readable: started, writable: waitingForWritable)
        } catch {
            shutdown(.error(error))
        }
    }

    private func readAvailable() {
        let buffer = readBuffer ?? UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, configuration.maxReadBytes), alignment: 16)
        readBuffer = buffer
        // Read until the socket is empty, but give other work on the thread a turn every few
        // chunks: the socket, still readable, is reported again on the thread's next round (the
        // watch is level-triggered). A read that did not fill the buffer nearly always took all
        // there was (a stream read also stops short before a send that carried fds), so the socket
        // is not asked again only to answer EAGAIN: whatever is left is reported anew.
        for _ in 0..<16 {
            guard !shutDown else { return }
            let chunk: ReceivedChunk?
            do {
                chunk = try connection.receive(into: buffer, maxFds: configuration.maxFdsPerRead)
            } catch {
                shutdown(error.isPeerGone ? .peerClosed : .error(error))
                return
            }
            guard let chunk else { return }
            if chunk.isEndOfStream {
                shutdown(.peerClosed)
                return
            }
            let filled = chunk.bytes.count == buffer.count
            onChunk(chunk)
            if !filled { return }
        }
    }

    /// Messages without fds that follow each other go out in one sendmsg of up to this many bytes
    /// (a commit's CommitAccepted, PageFlip and Release: one system call instead of three).
    static let maximumBatchBytes = 64 * 1024

    private func flush() {
        while !shutDown {
            let (next, count, drained) = sendState.withLock { state -> (Outgoing?, Int, Bool) in
                if state.head < state.queue.count { return (state.queue[state.head], state.queue.count - state.head, false) }
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
                state.flushScheduled = false
                defer { state.drainNoticeRequested = false }
                return (nil, 0, state.drainNoticeRequested)
            }
            guard let item = next else {
                if waitingForWritable {
                    waitingForWritable = false
                    updateInterest()
                }
                if drained { onDrained?() }
                return
            }
            let attempt: Result<Int?, SystemError>
            writeCalls += 1
            if item.fds.isEmpty, count > 1, fillBatch(startingWith: item) {
                attempt = batch.withUnsafeBytes { buffer in
                    Result { () throws(SystemError) -> Int? in try connection.trySend(buffer) }
                }
            } else {
                attempt = item.bytes.withUnsafeBytes { buffer in
                    Result { () throws(SystemError) -> Int? in
                        try connection.trySend(UnsafeRawBufferPointer(rebasing: buffer[item.offset...]), fds: item.fds.map(\.rawValue))
                    }
                }
            }
            let sent: Int?
            switch attempt {
            case .success(let count): sent = count
            case .failure(let error):
                shutdown(error.isPeerGone ? .peerClosed : .error(error))
                return
            }
            guard let sent else {
                waitForWritable()
                return
            }
            sendState.withLock { state in
                state.queuedBytes -= sent
                var left = sent
                repeat {
                    let remaining = state.queue[state.head].bytes.count - state.queue[state.head].offset
                    state.queue[state.head].fds = []
                    guard left >= remaining else {
                        state.queue[state.head].offset += left
                        break
                    }
                    left -= remaining
                    state.queue[state.head] = Outgoing(bytes: [], offset: 0, fds: [])
                    state.head += 1
                } while left > 0 && state.head < state.queue.count
                // A queue that never runs empty still drops its sent entries now and then.
                if state.head >= 64, state.head * 2 >= state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }

    /// Copies `first` (unsent part) and the queued messages after it that carry no fds into
    /// `batch`, up to `maximumBatchBytes`; false when only `first` would go, which is then sent
    /// from its own bytes.
    private func fillBatch(startingWith first: Outgoing) -> Bool {
        batch.removeAll(keepingCapacity: true)
        batch.append(contentsOf: first.bytes[first.offset...])
        sendState.withLock { state in
            var index = state.head + 1
            while index < state.queue.count, state.queue[index].fds.isEmpty,
                  batch.count + state.queue[index].bytes.count <= Self.maximumBatchBytes {
                batch.append(contentsOf: state.queue[index].bytes)
                index += 1
            }
        }
        return batch.count > first.bytes.count - first.offset
    }

    private func waitForWritable() {
        guard !waitingForWritable else { return }
        waitingForWritable = true
        updateInterest()
    }

    private func shutdown(_ reason: CloseReason) {
        guard !shutDown else { return }
        shutDown = true
        sendState.withLock { state in
            state.closed = true
            state.queue = []
            state.head = 0
            state.queuedBytes = 0
        }
        watch?.cancel()
        watch = nil
        try? connection.handle.close()
        onClose(reason)
        if ownsThread { thread.shutdown() }
    }
}
