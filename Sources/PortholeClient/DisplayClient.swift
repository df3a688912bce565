#if canImport(Glibc)
import Glibc
#endif
import DisplayProtocol
import NIOCore
import SystemIO

/// A blocking client of the Porthole display device (docs/protocol.md), for producers and
/// consumers written in Swift: `porthole produce` and the tests use it.
///
/// Requests are sent and their reply awaited in one call. Events that arrive meanwhile (PageFlip,
/// Release, input, ...) are kept in order and handed out by `nextEvent(timeout:)`, or waited for
/// with `waitForPageFlip`. Fds that come with events belong to the caller. Not thread-safe: use a
/// client from one thread at a time.
public final class DisplayClient {
    public let connection: FDPassingConnection
    public private(set) var welcome: WelcomeMessage
    /// The request timeout, in seconds.
    public var timeout: Double
    private var decoder = ServerToClientDecoder()
    private var events: [ServerToClientMessage] = []
    private var nextRequestID: UInt32 = 1

    /// Connects to `socketPath` (§2's default when nil) and says Hello (§4.1), offering `version`
    /// (this codec's own by default; Welcome says what the connection speaks, §10).
    public convenience init(socketPath: String? = nil, role: ClientRole, name: String,
                            leaseToken: LeaseToken? = nil, timeout: Double = 10,
                            version: DisplayProtocolVersion = .current) throws(DisplayClientError) {
        let path = socketPath ?? DisplaySocketPath.defaultPath(runtimeDirectory: getenv("XDG_RUNTIME_DIR").map { String(cString: $0) },
                                                               userID: getuid())
        let socket: FileDescriptorHandle
        do {
            // The default path may lie in a directory another user made first (/tmp/porthole-$UID);
            // a path the caller named is the caller's choice.
            if socketPath == nil { try SocketDirectoryCheck.verify(socketPath: path) }
            socket = try UnixSocket.connect(path: path)
        } catch {
            throw .system(error)
        }
        try self.init(socket: socket, role: role, name: name, leaseToken: leaseToken, timeout: timeout, version: version)
    }

    /// Says Hello on a connected socket (a socketpair end, for instance).
    public init(socket: FileDescriptorHandle, role: ClientRole, name: String, leaseToken: LeaseToken? = nil,
                timeout: Double = 10, version: DisplayProtocolVersion = .current) throws(DisplayClientError) {
        connection = FDPassingConnection(socket)
        self.timeout = timeout
        welcome = WelcomeMessage(clientID: 0, leaseToken: LeaseToken(high: 0, low: 0), maximumMessageSize: 0,
                                 maximumFramebuffers: 0, maximumDamageRects: 0)
        let reply = try request(.hello(HelloMessage(version: version, role: role, clientName: name, leaseToken: leaseToken)))
        guard case .welcome(let welcome) = reply else { throw .unexpectedReply(reply) }
        self.welcome = welcome
    }

    /// Closes the connection.
    public func close() {
        try? connection.handle.close()
        for fd in decoder.takeQueuedFDs() { try? FileDescriptorHandle(adopting: fd).close() }
    }

    // MARK: - Producer requests (§5)

    /// CreateOutput (§5.2): an output of `width` x `height`, preferring that mode too.
    public func createOutput(name: String, width: UInt32, height: UInt32, refreshMillihertz: UInt32 = 60_000,
                             x: Int32 = 0, y: Int32 = 0) throws(DisplayClientError) -> OutputCreatedReply {
        let mode = WireMode(width: width, height: height, refreshMillihertz: refreshMillihertz)
        let reply = try request(.createOutput(CreateOutputRequest(name: name, mode: mode, preferredMode: mode, x: x, y: y)))
        guard case .outputCreated(let created) = reply else { throw .unexpectedReply(reply) }
        return created
    }

    /// CreateFramebuffer (§5.6) over `memory` (a memfd sealed against shrinking, or a dma-buf).
    /// With `copy` the framebuffer takes the copy path (§11, version 1.1): the server copies it at
    /// the tick that applies a commit and sends Release right then, so one buffer is enough.
    public func createFramebuffer(memory: FileDescriptorHandle, format: UInt32, width: UInt32, height: UInt32, stride: UInt32,
                                  offset: UInt32 = 0, kind: FramebufferMemoryKind = .sharedMemory,
                                  copy: Bool = false) throws(DisplayClientError) -> UInt32 {
        let request = CreateFramebufferRequest(format: format, width: width, height: height, stride: stride, offset: offset,
                                               memoryKind: kind, flags: copy ? .copy : [], fd: memory.rawValue)
        let reply = try self.request(.createFramebuffer(request), fds: [memory])
        guard case .framebufferCreated(let id) = reply else { throw .unexpectedReply(reply) }
        return id
    }

    /// CreateFramebuffer for a `ProducerBuffer`, on the copy path when `copy` is set.
    public func createFramebuffer(_ buffer: ProducerBuffer, copy: Bool = false) throws(DisplayClientError) -> UInt32 {
        try createFramebuffer(memory: buffer.memfd.handle, format: buffer.format, width: buffer.width, height: buffer.height,
                              stride: buffer.stride, copy: copy)
    }

    /// Commit (§5.8). Returns the commit's request id (PageFlip's "commit request id"); throws
    /// `commitRejected` when the server refused it.
    @discardableResult
    public func commit(_ commit: CommitRequest) throws(DisplayClientError) -> UInt32 {
        let id = nextRequestID
        let reply = try request(.commit(commit))
        switch reply {
        case .commitAccepted: return id
        case .commitRejected(let report): throw .commitRejected(report)
        default: throw .unexpectedReply(reply)
        }
    }

    /// A commit showing `framebuffer` whole on `plane` (1:1 at the output's origin) with
    /// `damage` (none: the whole plane), asking for a PageFlip. `moves` (§5.8, version 1.2: check
    /// `welcome.version` first; a 1.0 or 1.1 connection gets CommitRejected) say which pixels of
    /// the previous picture moved, applied before the damage; they mean nothing without damage.
    @discardableResult
    public func present(framebuffer: UInt32, width: UInt32, height: UInt32, on plane: UInt32,
                        damage: [WireRect] = [], moves: [WireMove] = []) throws(DisplayClientError) -> UInt32 {
        let state = CommitPlaneState(planeID: plane, framebufferID: framebuffer,
                                     source: WireFixedRect(x: 0, y: 0, width: width << 16, height: height << 16),
                                     destination: WireRect(x: 0, y: 0, width: width, height: height), damage: damage,
                                     moves: moves)
        return try commit(CommitRequest(flags: .pageFlipEvent, planes: [state]))
    }

    /// SetFlipEventFD (§5.9).
    public func setFlipEventFD(_ eventFD: EventFD?) throws(DisplayClientError) {
        let reply = try request(.setFlipEventFD(eventFD?.handle.rawValue), fds: eventFD.map { [$0.handle] } ?? [])
        guard case .done = reply else { throw .unexpectedReply(reply) }
    }

    /// Waits for the PageFlip of `output` (of the commit `commitRequestID`, when given); events
    /// before it stay queued for `nextEvent`.
    public func waitForPageFlip(output: UInt32, commitRequestID: UInt32? = nil) throws(DisplayClientError) -> PageFlipEvent {
        let deadline = Self.now() + timeout
        while true {
            if let index = events.firstIndex(where: {
                if case .pageFlip(let flip) = $0 { return flip.outputID == output && (commitRequestID == nil || flip.commitRequestID == commitRequestID!) }
                return false
            }), case .pageFlip(let flip) = events.remove(at: index) {
                return flip
            }
            try readMore(until: deadline, what: "PageFlip")
        }
    }

    /// The next event, waiting at most `timeout` seconds; nil when none came.
    public func nextEvent(timeout: Double) throws(DisplayClientError) -> ServerToClientMessage? {
        let deadline = Self.now() + timeout
        while events.isEmpty {
            do {
                try readMore(until: deadline, what: "an event")
            } catch .timedOut {
                return nil
            }
        }
        return events.removeFirst()
    }

    /// Removes and returns the queued events that match `predicate`.
    public func takeEvents(where predicate: (ServerToClientMessage) -> Bool) -> [ServerToClientMessage] {
        let taken = events.filter(predicate)
        events.removeAll(where: predicate)
        return taken
    }

    // MARK: - Any request

    /// Sends `message` with a fresh request id and waits for its reply (§4.2). An Error reply
    /// throws `.server`; events that arrive first are queued.
    public func request(_ message: ClientToServerMessage, fds: [FileDescriptorHandle] = []) throws(DisplayClientError) -> ServerToClientMessage {
        let id = nextRequestID
        nextRequestID &+= 1
        if nextRequestID == 0 { nextRequestID = 1 }
        try send(message, requestID: id, fds: fds)
        let deadline = Self.now() + timeout
        while true {
            if let reply = try takeReply(to: id) {
                if case .error(let report) = reply { throw .server(report) }
                return reply
            }
            try readMore(until: deadline, what: "the reply to \(message.messageType)")
        }
    }

    /// Sends one message without waiting (notifications, or tests that want to).
    public func send(_ message: ClientToServerMessage, requestID: UInt32 = 0, fds: [FileDescriptorHandle] = []) throws(DisplayClientError) {
        var buffer = ByteBuffer()
        do {
            try buffer.writeDisplayMessage(message, requestID: requestID, limits: .version1)
        } catch {
            throw .encoding(error)
        }
        do {
            try connection.send(Array(buffer.readableBytesView), fds: fds)
        } catch {
            throw error.isPeerGone ? .closed : .system(error)
        }
    }

    // MARK: - Receiving

    private var replies: [DecodedDisplayMessage<ServerToClientMessage>] = []

    private func takeReply(to id: UInt32) throws(DisplayClientError) -> ServerToClientMessage? {
        _ = try drain()
        guard let index = replies.firstIndex(where: { $0.requestID == id }) else { return nil }
        return replies.remove(at: index).message
    }

    /// Moves every complete message out of the decoder: events to `events`, replies to
    /// `replies`. Returns true when there was any.
    private func drain() throws(DisplayClientError) -> Bool {
        var any = false
        while true {
            let decoded: DecodedDisplayMessage<ServerToClientMessage>?
            do {
                decoded = try decoder.next()
            } catch {
                throw .decoding(error)
            }
            guard let decoded else { return any }
            any = true
            if decoded.requestID == 0 {
                // An Error with id 0 announces that the server is closing the connection (§7.2).
                if case .error(let report) = decoded.message { throw .server(report) }
                events.append(decoded.message)
            } else {
                replies.append(decoded)
            }
        }
    }

    /// Waits for bytes until `deadline` and feeds them to the decoder.
    private func readMore(until deadline: Double, what: String) throws(DisplayClientError) {
        if try drain() { return }
        let remaining = deadline - Self.now()
        guard remaining > 0 else { throw .timedOut(what) }
        var descriptor = pollfd(fd: connection.handle.rawValue, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, Double(Int32.max))) + 1)
        if ready < 0 {
            if errno == EINTR { return }
            throw .system(SystemError(operation: "poll", errno: errno))
        }
        guard ready > 0 else { throw .timedOut(what) }
        let chunk: ReceivedChunk?
        do {
            chunk = try connection.receive(maxBytes: 64 * 1024, maxFds: 16)
        } catch {
            throw error.isPeerGone ? .closed : .system(error)
        }
        guard let chunk else { return }
        if chunk.isEndOfStream { throw .closed }
        decoder.appendFDs(chunk.fds.map { $0.take() })
        decoder.append(chunk.bytes)
        _ = try drain()
    }

    static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
