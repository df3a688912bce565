import Capture
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import SystemIO

/// A running Porthole server: one output fed by a built-in source, served over RFB on TCP (plain or
/// WebSocket on the same port), with an optional HTTP listener for noVNC (`--web`).
///
/// `start` binds and returns once viewers can connect; `serve` is what `porthole serve` runs (it
/// also sets up logging, prints where to connect and waits for SIGINT/SIGTERM). Tests start servers
/// in-process with their own logger and configuration.
public final class PortholeServer: @unchecked Sendable {
    public let output: LiveOutput
    private let listener: RFBListener
    private let webChannel: Channel?
    private let group: MultiThreadedEventLoopGroup
    private let registry: ViewerRegistry
    private let stopping = NIOLockedValueBox(false)

    /// The address actually bound (the real port when 0 was asked for).
    public let boundAddress: HostAndPort

    /// The thread its RFB port is listened on and its native viewers served on
    /// (`ServerConfiguration.viewerThread`); nil when they are in NIO.
    var viewerThread: EventThread? {
        if case .threaded(let listener) = listener { return listener.thread }
        return nil
    }

    /// Viewers connected right now.
    public var viewerCount: Int { registry.count }

    /// Listeners for further outputs (`startCompanion`), stopped with this server.
    private let companions = NIOLockedValueBox<[PortholeServer]>([])
    /// False for a companion, which runs on the event loops of the server that started it.
    private let ownsGroup: Bool
    /// For a companion: the `--web` listener of the server that started it, whose noVNC pages
    /// connect to any of the ports (each takes WebSocket).
    private let startersWebAddress: HostAndPort?

    private init(output: LiveOutput, listener: RFBListener, webChannel: Channel?, group: MultiThreadedEventLoopGroup, registry: ViewerRegistry,
                 bound: HostAndPort, ownsGroup: Bool, startersWebAddress: HostAndPort? = nil) {
        self.output = output; self.listener = listener; self.webChannel = webChannel; self.group = group; self.registry = registry; boundAddress = bound
        self.ownsGroup = ownsGroup
        self.startersWebAddress = startersWebAddress
    }

    /// The RFB listener (plain and WebSocket on one port) for `output`, bound to `configuration`'s
    /// host and port: on `configuration.viewerThread` when there is one (a display-device output
    /// or the X11 mirror, `ThreadedViewerListener`), in NIO otherwise.
    private static func listen(configuration: ServerConfiguration, output: LiveOutput, registry: ViewerRegistry,
                               group: MultiThreadedEventLoopGroup, logger: Logger) async throws -> RFBListener {
        let makeViewer: @Sendable (Channel) -> ChannelHandler = { channel in
            let transport = NIOViewerTransport(eventLoop: channel.eventLoop)
            transport.connection = ViewerConnection(configuration: configuration, output: output, registry: registry,
                                                    logger: logger, transport: transport)
            return transport
        }
        if let thread = configuration.viewerThread {
            do {
                let listener = try ThreadedViewerListener(
                    host: configuration.host, port: configuration.port, thread: thread, sniffTimeout: configuration.transportSniffTimeout,
                    closedPromise: group.next().makePromise(), logger: logger,
                    makeViewer: { transport in
                        transport.connection = ViewerConnection(configuration: configuration, output: output, registry: registry,
                                                                logger: logger, transport: transport)
                    },
                    handOver: { fd, early in
                        ClientBootstrap(group: group)
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    try channel.pipeline.syncOperations.addHandler(EarlyBytesReplayer(early))
                                    try WebSocketTransport.configure(channel: channel, maxFrameSize: configuration.webSocketMaxFrameSize,
                                                                     logger: logger, makeViewer: makeViewer)
                                }
                            }
                            .withConnectedSocket(fd)
                            .whenFailure { error in logger.error("cannot serve a browser's connection: \(error)") }
                    })
                listener.start()
                return .threaded(listener)
            } catch {
                throw ServeError.cannotListen("\(configuration.host):\(configuration.port)", "\(error)")
            }
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ListeningChannelBackoff(logger: logger, what: "viewers"))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // RFB and RFB over WebSocket share the port; see TransportSniffer for why.
                    try channel.pipeline.syncOperations.addHandler(TransportSniffer(
                        timeout: .nanoseconds(Int64(configuration.transportSniffTimeout * 1e9)), logger: logger,
                        configureRFB: { channel in try channel.pipeline.syncOperations.addHandler(makeViewer(channel)) },
                        configureWebSocket: { channel in
                            try WebSocketTransport.configure(channel: channel, maxFrameSize: configuration.webSocketMaxFrameSize,
                                                             logger: logger, makeViewer: makeViewer)
                        }))
                }
            }
        do {
            return .nio(try await bootstrap.bind(host: configuration.host, port: configuration.port).get())
        } catch {
            throw ServeError.cannotListen("\(configuration.host):\(configuration.port)", "\(error)")
        }
    }

    /// Serves one more output from this process on `port` of this server's host (0 picks a free
    /// one), for `porthole serve --device --output-ports`: its own `LiveOutput` and listener, but
    /// this server's event loops and viewer registry, so `--max-viewers` and the authentication
    /// throttle count viewers across all ports. No `--web` listener of its own: its
    /// `webViewerURL` opens this server's noVNC on the companion's port. `stop()` on this server
    /// stops it too.
    public func startCompanion(port: Int, source: FrameSource, configuration: ServerConfiguration, logger: Logger) async throws -> PortholeServer {
        var configuration = configuration
        configuration.host = boundAddress.host
        configuration.port = port
        let output = LiveOutput(name: "output", desktopName: configuration.desktopName, followsSourceName: configuration.desktopNameFromSource,
                                source: source, eventLoop: group.next(), frameRate: configuration.sourceFrameRate)
        let listener = try await Self.listen(configuration: configuration, output: output, registry: registry, group: group, logger: logger)
        let bound = HostAndPort(host: listener.localAddress?.ipAddress ?? configuration.host, port: listener.localAddress?.port ?? port)
        output.start()
        let companion = PortholeServer(output: output, listener: listener, webChannel: nil, group: group, registry: registry, bound: bound,
                                       ownsGroup: false, startersWebAddress: webAddress)
        let stopped = stopping.withLockedValue { $0 }
        companions.withLockedValue { $0.append(companion) }
        if stopped { await companion.stop() }
        return companion
    }

    public static func start(configuration: ServerConfiguration, source: FrameSource, logger: Logger) async throws -> PortholeServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let output = LiveOutput(name: "demo", desktopName: configuration.desktopName, followsSourceName: configuration.desktopNameFromSource,
                                source: source, eventLoop: group.next(), frameRate: configuration.sourceFrameRate)
        let registry = ViewerRegistry(maxViewers: configuration.maxViewers, throttlePolicy: configuration.authenticationThrottle)
        let listener: RFBListener
        do {
            listener = try await listen(configuration: configuration, output: output, registry: registry, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let port = listener.localAddress?.port ?? configuration.port
        let host = listener.localAddress?.ipAddress ?? configuration.host
        let bound = HostAndPort(host: host, port: port)
        var webChannel: Channel?
        if let web = configuration.web {
            do {
                webChannel = try await startWebViewer(at: web, root: configuration.noVNCRoot, rfb: bound, group: group, logger: logger)
            } catch {
                await listener.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }
        output.start()
        let server = PortholeServer(output: output, listener: listener, webChannel: webChannel, group: group, registry: registry,
                                    bound: bound, ownsGroup: true)
        logger.info("listening on \(server.boundAddress)\(configuration.password == nil ? " (no authentication)" : " (VNC authentication)")")
        if configuration.password == nil && !server.boundAddress.isLoopback {
            // x11vnc warns the same way: an open port on the network is the classic VNC mistake.
            let reach = configuration.viewOnly ? "see this output" : "see and control this output"
            logger.warning("listening on \(server.boundAddress) without a password: anyone who can reach it can \(reach); give --password-file")
        }
        if let webAddress = server.webAddress {
            logger.info("web viewer on http://\(webAddress)/ (noVNC from \(configuration.noVNCRoot))")
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: configuration.noVNCRoot, isDirectory: &isDirectory) || !isDirectory.boolValue {
                logger.warning("web viewer: noVNC is not installed in \(configuration.noVNCRoot); install it with apt-get install novnc (until then the page says so)")
            }
        }
        return server
    }

    /// The `--web` listener: an HTTP server for noVNC's files (see `WebViewerHandler`).
    private static func startWebViewer(at address: HostAndPort, root: String, rfb: HostAndPort,
                                       group: MultiThreadedEventLoopGroup, logger: Logger) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ListeningChannelBackoff(logger: logger, what: "browsers (--web)"))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebViewerHandler(root: root, rfb: rfb, logger: logger))
                }
            }
        do {
            return try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            throw ServeError.cannotListen("\(address) (--web)", "\(error)")
        }
    }

    /// The address the `--web` listener actually bound, when there is one (for a companion, the
    /// listener of the server that started it).
    public var webAddress: HostAndPort? {
        guard let webChannel else { return startersWebAddress }
        guard let address = webChannel.localAddress, let port = address.port else { return nil }
        return HostAndPort(host: address.ipAddress ?? "127.0.0.1", port: port)
    }

    /// The URL that opens noVNC connected to this server, when `--web` is on.
    public var webViewerURL: String? {
        guard let web = webAddress else { return nil }
        let rfbHost = NoVNCSite.rfbHost(bound: boundAddress.host, requestHost: web.host)
        return "http://\(web)/vnc.html?\(NoVNCSite.viewerQuery(rfbHost: rfbHost, rfbPort: boundAddress.port))"
    }

    /// Stops listening, disconnects every viewer and stops the frame clock.
    /// Only the first call does anything: `serve` stops once from the signal handler and once when
    /// the listener has closed, and a second close or shutdown on the already shut event loops would
    /// wait forever (their futures are never completed).
    public func stop() async {
        guard stopping.withLockedValue({ let first = !$0; $0 = true; return first }) else { return }
        registry.markStopping()
        for companion in companions.withLockedValue({ $0 }) { await companion.stop() }
        try? await webChannel?.close()
        await listener.close()
        output.stop()
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    /// Waits until the listener is closed (by `stop` or a signal).
    public func waitUntilClosed() async {
        try? await listener.closeFuture.get()
    }

    /// `porthole serve`: logging to standard error, the connect hint on standard output, and a
    /// clean stop on SIGINT or SIGTERM.
    /// `started` runs once the server listens (and its connect hint is printed); `--output-ports`
    /// starts its further listeners from there.
    public static func serve(configuration: ServerConfiguration, source: FrameSource,
                             started: @Sendable (PortholeServer, Logger) -> Void = { _, _ in }) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        let logger = Logger(label: "porthole")
        let server = try await start(configuration: configuration, source: source, logger: logger)
        let frame = server.output.frame.pixels
        let bound = server.boundAddress
        print("porthole: serving \(frame.width)x\(frame.height) \"\(configuration.desktopName)\"; listening on \(bound)")
        print("porthole: connect with: vncviewer \(bound.host)::\(bound.port)")
        if let url = server.webViewerURL { print("porthole: web viewer at \(url)") }
        fflush(stdout)
        started(server, logger)
        let signals = installSignalHandlers { signal in
            logger.notice("received \(signal); shutting down")
            Task { await server.stop() }
        }
        await server.waitUntilClosed()
        signals.forEach { $0.cancel() }
        await server.stop()
    }

    public enum ServeError: Error, CustomStringConvertible {
        case cannotListen(String, String)
        public var description: String {
            switch self {
            case .cannotListen(let address, let why): return "cannot listen on \(address): \(why)"
            }
        }
    }

    private static func installSignalHandlers(_ handler: @escaping @Sendable (String) -> Void) -> [DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }
}
