#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
import Logging
import NIOCore
import SystemIO

/// The display device on a Unix socket (docs/protocol.md): one `Device`, the producers and
/// consumers connected to it, and a frame clock per output.
///
/// Threading: every piece of state, the device model included, lives on one thread of its own
/// (`EventThread`), which also waits for the sockets and runs the frame clocks: a commit is read,
/// applied, composed and answered by the thread that woke for it (a dispatch queue cost two thread
/// wake-ups per readable socket, docs/benchmarks.md "The device on a thread of its own"). Each
/// client has an `FDPassingChannel` on that thread, so messages are handled one at a time, in the
/// order each client sent them. Sends never block: messages go
/// into the client's `ClientOutbox`, which hands them to the channel while the channel holds less
/// than `channelBacklogBytes`; behind a client that does not read, state events are merged per
/// output, input events are capped at 256, and a client whose unmergeable messages pass
/// `maximumQueuedBytesPerClient` is dropped (§12). So a stalled client costs a bounded amount of
/// memory and never holds up anyone else.
///
/// Isolation (§4.2, §12): a client that breaks the protocol gets one Error with the code of §9
/// and is disconnected, with a log line; the device forgets nothing of anyone else. Fds received
/// with messages the server does not keep are closed, and so are fds still queued when a
/// connection ends (§3.3).
public final class DeviceServer: @unchecked Sendable {
    /// A change in the set of outputs, for RFB serving (`PrimaryOutputSource`).
    public enum OutputLifecycleEvent: Sendable {
        case created(OutputID, DeviceOutputSource)
        case removed(OutputID)
    }

    public let socketPath: String
    let configuration: DeviceServerConfiguration
    let logger: Logger
    let thread: EventThread
    /// The device's thread, on which its outputs' frames are published: `porthole serve` serves
    /// plain TCP viewers of device outputs there (`ServerConfiguration.viewerThread`).
    public var eventThread: EventThread { thread }

    // Confined to `thread`.
    var device: Device
    private let listener: UnixSocketListener
    private var acceptWatch: ListenerWatch?
    var clients: [Int: DeviceClient] = [:]
    var connectionByClient: [ClientID: Int] = [:]
    /// Hello names of producers, kept while their lease lives (Outputs' owner name, §7.16).
    var producerNames: [ClientID: String] = [:]
    var pipelines: [OutputID: OutputPipeline] = [:]
    /// Framebuffers lent as scanouts and the Releases waiting for them (DeviceServer+FrameClock).
    var lentFramebuffers = LentFramebufferHolds()
    /// Lent pictures whose last copy went on this thread, waiting for `settleReturnedPictures`.
    var returnedPictures: [FramebufferID] = []
    /// Whether a settle of `returnedPictures` is due: at the end of the running frame tick, or as
    /// work queued on the thread.
    var returnedPicturesSettleDue = false
    /// The protocol's active state of each output (§5.2: outputs start active).
    var activeByOutput: [OutputID: Bool] = [:]
    private var leaseTimer: EventTimer?
    var observers: [@Sendable (OutputLifecycleEvent) -> Void] = []
    private var nextConnectionKey = 1
    private var stopped = false

    /// Binds the socket (creating its directory with mode 0700 when missing, replacing a stale
    /// socket; a live one is an error). Nothing is accepted until `start()`.
    public init(configuration: DeviceServerConfiguration = DeviceServerConfiguration(),
                logger: Logger = Logger(label: "porthole.display-device")) throws {
        self.configuration = configuration
        self.logger = logger
        socketPath = configuration.socketPath ?? DisplaySocketPath.defaultPath(
            runtimeDirectory: getenv("XDG_RUNTIME_DIR").map { String(cString: $0) }, userID: getuid())
        listener = try UnixSocketListener(path: socketPath, nonblocking: true)
        device = Device(limits: configuration.limits)
        thread = try EventThread(name: "porthole-device")
    }

    /// Starts accepting clients.
    public func start() {
        thread.execute { [self] in
            guard !stopped, acceptWatch == nil else { return }
            let watch = ListenerWatch(thread: thread, fd: listener.handle.rawValue, accept: { [weak self] in self?.acceptAll() })
            do {
                try watch.start()
            } catch {
                watch.cancel()
                logger.error("display device: cannot watch \(socketPath): \(error)")
                return
            }
            acceptWatch = watch
            logger.info("display device listening on \(socketPath)")
        }
    }

    /// Stops listening, disconnects every client and stops every frame clock. Waits until done;
    /// the thread then closes the clients' sockets and exits.
    public func stop() {
        let first = thread.sync { () -> Bool in
            guard !stopped else { return false }
            stopped = true
            acceptWatch?.cancel()
            acceptWatch = nil
            try? listener.close()
            for client in clients.values { detach(client); client.channel.close() }
            clients.removeAll()
            for pipeline in pipelines.values { pipeline.stopClock() }
            leaseTimer?.cancel()
            return true
        }
        if first { thread.shutdown() }
    }

    /// The frame source of an output, for serving it over RFB.
    public func outputSource(for id: OutputID) -> DeviceOutputSource? {
        thread.sync { pipelines[id]?.source }
    }

    /// The outputs that exist now, oldest first.
    public var outputIDs: [OutputID] { thread.sync { pipelines.keys.sorted() } }

    /// Calls `observer` on the server's thread whenever an output is created or removed, after
    /// calling it for each output that exists already.
    public func observeOutputs(_ observer: @escaping @Sendable (OutputLifecycleEvent) -> Void) {
        thread.execute { [self] in
            for id in pipelines.keys.sorted() { if let source = pipelines[id]?.source { observer(.created(id, source)) } }
            observers.append(observer)
        }
    }

    // MARK: - Connections

    private func acceptAll() {
        while !stopped {
            let socket: FileDescriptorHandle?
            do {
                socket = try listener.accept()
            } catch {
                // EMFILE and the like: the producer stays queued; pause (AcceptBackoff says why).
                if let pause = acceptWatch?.failed(), pause.report {
                    logger.error("display device: cannot accept a producer: \(error); waiting producers stay queued, trying again in \(pause.nanoseconds / 1_000_000) ms")
                }
                return
            }
            guard let socket else { return }
            if let failures = acceptWatch?.accepted() {
                logger.notice("display device: accepting producers again, after \(failures) failed attempts")
            }
            let key = nextConnectionKey
            nextConnectionKey += 1
            // The outbox keeps the channel's queue short; the channel's own bound is a backstop.
            let channelConfiguration = FDPassingChannel.Configuration(
                maxQueuedBytes: Self.channelBacklogBytes + configuration.maximumQueuedBytesPerClient)
            do {
                let channel = try FDPassingChannel(
                    socket: socket, configuration: channelConfiguration, label: "porthole.display-client.\(key)",
                    // The callbacks run on the device's thread; each is handled as work of its own
                    // (no thread hop), so a close or drain never runs in the middle of a message.
                    onChunk: { [weak self] chunk in
                        guard let self else { return }
                        thread.execute { self.received(chunk, on: key) }
                    },
                    onClose: { [weak self] reason in
                        guard let self else { return }
                        thread.execute { self.channelClosed(key, reason: reason) }
                    },
                    onDrained: { [weak self] in
                        guard let self else { return }
                        thread.execute { if let client = self.clients[key] { self.pump(client) } }
                    },
                    thread: thread)
                let client = DeviceClient(key: key, channel: channel, maximumQueuedBytes: configuration.maximumQueuedBytesPerClient)
                clients[key] = client
                channel.start()
                logger.debug("display device: connection \(key) accepted")
                let helloTimeout = UInt64(min(max(configuration.helloTimeoutSeconds, 0), 86_400) * 1e9)
                thread.schedule(afterNanoseconds: helloTimeout) { [weak self] in
                    guard let self, let client = clients[key], client.role == nil, !client.closing else { return }
                    fail(client, .bounded(.protocolError, "no Hello within \(Int(configuration.helloTimeoutSeconds)) s"), requestID: 0)
                }
            } catch {
                logger.error("display device: cannot set up connection \(key): \(error)")
            }
        }
    }

    private func received(_ chunk: ReceivedChunk, on key: Int) {
        guard let client = clients[key], !client.closing else {
            for fd in chunk.fds { try? fd.close() }
            return
        }
        if chunk.fdsTruncated {
            for fd in chunk.fds { try? fd.close() }
            // The kernel drops fds that did not fit the control buffer, and also those the server had
            // no descriptor left for (EMFILE); either way the message cannot be decoded.
            fail(client, .bounded(.protocolError, "fds sent with a message were lost (MSG_CTRUNC): more than a message may carry, or the server is out of descriptors"), requestID: 0)
            return
        }
        client.decoder.appendFDs(chunk.fds.map { $0.take() })
        client.decoder.append(chunk.bytes)
        while !client.closing {
            let decoded: DecodedDisplayMessage<ClientToServerMessage>?
            do {
                decoded = try client.decoder.next()
            } catch {
                fail(client, .bounded(error.code, error.description), requestID: error.requestID ?? 0)
                return
            }
            guard let decoded else { return }
            handle(decoded, from: client)
        }
    }

    private func channelClosed(_ key: Int, reason: FDPassingChannel.CloseReason) {
        guard let client = clients.removeValue(forKey: key) else { return }
        client.outbox.removeAll()
        if client.closing { return }
        switch reason {
        case .peerClosed:
            do {
                try client.decoder.finish()
                logger.info("display device: \(client.label) disconnected")
            } catch {
                logger.warning("display device: \(client.label) disconnected in the middle of a message: \(error)")
            }
        case .error(let error):
            logger.warning("display device: \(client.label) dropped: \(error)")
        case .closedLocally:
            break
        }
        detach(client)
    }

    /// A protocol error (docs/protocol.md §4.2): one Error, then the connection closes once the
    /// Error has left (or after a second, for a client that does not read).
    func fail(_ client: DeviceClient, _ report: ErrorReport, requestID: UInt32) {
        guard !client.closing else { return }
        logger.warning("display device: disconnecting \(client.label): \(report.code): \(report.message)")
        send(.error(report), requestID: requestID, to: client)
        detach(client)
        closeWhenFlushed(client, deadline: Self.monotonicNanoseconds() + 1_000_000_000)
    }

    private func closeWhenFlushed(_ client: DeviceClient, deadline: UInt64) {
        pump(client)
        if (client.outbox.isEmpty && client.channel.queuedBytes == 0) || Self.monotonicNanoseconds() >= deadline {
            client.channel.close()
            return
        }
        thread.schedule(afterNanoseconds: 5_000_000) { [weak self] in self?.closeWhenFlushed(client, deadline: deadline) }
    }

    /// Forgets a connection: queued fds are closed, the device hears of the disconnection (a
    /// producer's outputs stay up for the grace period), subscriptions end.
    func detach(_ client: DeviceClient) {
        guard !client.closing else { return }
        client.closing = true
        for fd in client.decoder.takeQueuedFDs() { try? FileDescriptorHandle(adopting: fd).close() }
        client.flipEventFD = nil
        client.subscriptions.removeAll()
        guard let id = client.clientID else { return }
        if connectionByClient[id] == client.key { connectionByClient[id] = nil }
        dispatch(device.disconnect(id, now: Self.monotonicNanoseconds()))
        if client.role == .producer, !device.allOutputs.contains(where: { $0.owner == id }) { producerNames[id] = nil }
        scheduleLeaseExpiry()
        pruneRemovedOutputs()
    }

    // MARK: - Sending (§12 "Bounded queues")

    /// The bytes a channel may hold before further messages wait in the client's outbox, where
    /// they can still be merged. The kernel's socket buffer comes on top.
    static let channelBacklogBytes = 16 * 1024

    /// Queues a message for `client` and, unless `pumping` is false, sends what the channel takes.
    /// A client whose outbox refuses it (it stopped reading, §12) is disconnected; a dropped input
    /// event is logged once. Messages that belong together (a CursorImage and the FrameReady it
    /// goes with) are queued with `pumping: false` and pumped after the last, so the outbox can
    /// never hand out the one before the other has been merged.
    func send(_ message: ServerToClientMessage, requestID: UInt32 = 0, to client: DeviceClient, fds: [FileDescriptorHandle] = [],
              pumping: Bool = true) {
        let encoded: [UInt8]
        do {
            encoded = try Self.encode(message, requestID: requestID)
        } catch {
            logger.error("display device: cannot encode \(message.messageType) for \(client.label): \(error)")
            return
        }
        switch client.outbox.push(message, requestID: requestID, attachment: fds, encoded: encoded) {
        case .queued, .merged: break
        case .droppedOldestEvent(let first):
            if first {
                logger.warning("display device: \(client.label) is not reading its events; more than \(client.outbox.maximumQueuedEvents) input events are queued, dropping the oldest")
            }
        case .refused:
            logger.warning("display device: disconnecting \(client.label): it stopped reading (more than \(configuration.maximumQueuedBytesPerClient) bytes queued)")
            detach(client)
            client.outbox.removeAll()
            client.channel.close()
            return
        }
        if pumping { pump(client) }
    }

    /// Hands the outbox's messages to the channel while the channel's backlog is short; when some
    /// are left, the channel calls back once it has drained. A full backlog is first written to
    /// the socket here (`flushNow`): the channel's own flush waits for this block on the device's
    /// queue, so without it a burst (thousands of keys routed in one read) would pile up in the
    /// outbox and lose its oldest input events while the client's socket still had room.
    func pump(_ client: DeviceClient) {
        while !client.outbox.isEmpty {
            if client.channel.queuedBytes >= Self.channelBacklogBytes {
                client.channel.flushNow()
                if client.channel.queuedBytes >= Self.channelBacklogBytes { break }
            }
            guard let item = client.outbox.popFirst() else { break }
            let bytes: [UInt8]
            do {
                // Encoded once at `send`, again only when a merge changed the message (§12).
                bytes = try item.encoded ?? Self.encode(item.message, requestID: item.requestID)
            } catch {
                logger.error("display device: cannot encode \(item.message.messageType) for \(client.label): \(error)")
                continue
            }
            if client.channel.send(bytes, fds: item.attachment) != .queued { return }
        }
        if !client.outbox.isEmpty { client.channel.notifyWhenDrained() }
    }

    private static func encode(_ message: ServerToClientMessage, requestID: UInt32) throws(DisplayProtocolEncodingError) -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeDisplayMessage(message, requestID: requestID)
        return Array(buffer.readableBytesView)
    }

    func send(_ message: ServerToClientMessage, to id: ClientID) {
        guard let key = connectionByClient[id], let client = clients[key], !client.closing else { return }
        send(message, to: client)
    }

    func connection(of id: ClientID) -> DeviceClient? {
        guard let key = connectionByClient[id], let client = clients[key], !client.closing else { return nil }
        return client
    }

    // MARK: - Leases

    /// Arms the timer that removes the outputs of producers whose grace period ended (§12).
    func scheduleLeaseExpiry() {
        leaseTimer?.cancel()
        guard let deadline = device.nextLeaseDeadline, !stopped else { return }
        let timer = leaseTimer ?? thread.makeTimer { [weak self] in
            guard let self else { return }
            dispatch(device.expireLeases(now: Self.monotonicNanoseconds()))
            for id in producerNames.keys where connectionByClient[id] == nil && !device.allOutputs.contains(where: { $0.owner == id }) {
                producerNames[id] = nil
            }
            pruneRemovedOutputs()
            scheduleLeaseExpiry()
        }
        leaseTimer = timer
        timer.schedule(at: deadline)
    }

    /// Stops the clocks of outputs the device no longer has and tells observers.
    func pruneRemovedOutputs() {
        let existing = Set(device.allOutputs.map(\.id))
        for id in pipelines.keys.sorted() where !existing.contains(id) {
            pipelines.removeValue(forKey: id)?.stopClock()
            activeByOutput[id] = nil
            logger.info("display device: \(id) removed")
            for observer in observers { observer(.removed(id)) }
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds, the clock of page-flip timestamps (§7.9), and the one the
    /// thread's timers take their deadlines in (the frame clock arms them for vblanks).
    static func monotonicNanoseconds() -> UInt64 { EventThread.monotonicNanoseconds() }
}
