import Capture
import Foundation
import Logging
import NIOCore
import NIOPosix

/// A running Porthole server: one output fed by a built-in source, served over RFB on TCP.
///
/// `start` binds and returns once viewers can connect; `serve` is what `porthole serve` runs (it
/// also sets up logging, prints where to connect and waits for SIGINT/SIGTERM). Tests start servers
/// in-process with their own logger and configuration.
public final class PortholeServer: @unchecked Sendable {
    public let output: LiveOutput
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup
    private let registry: ViewerRegistry

    /// The address actually bound (the real port when 0 was asked for).
    public let boundAddress: HostAndPort

    /// Viewers connected right now.
    public var viewerCount: Int { registry.count }

    private init(output: LiveOutput, channel: Channel, group: MultiThreadedEventLoopGroup, registry: ViewerRegistry, bound: HostAndPort) {
        self.output = output; self.channel = channel; self.group = group; self.registry = registry; boundAddress = bound
    }

    public static func start(configuration: ServerConfiguration, source: FrameSource, logger: Logger) async throws -> PortholeServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let output = LiveOutput(name: "demo", source: source, eventLoop: group.next(), frameRate: configuration.sourceFrameRate)
        let registry = ViewerRegistry(maxViewers: configuration.maxViewers, throttlePolicy: configuration.authenticationThrottle)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ViewerConnection(
                        configuration: configuration, output: output, registry: registry,
                        logger: logger, eventLoop: channel.eventLoop))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw ServeError.cannotListen("\(configuration.host):\(configuration.port)", "\(error)")
        }
        output.start()
        let port = channel.localAddress?.port ?? configuration.port
        let host = channel.localAddress?.ipAddress ?? configuration.host
        let server = PortholeServer(output: output, channel: channel, group: group, registry: registry,
                                    bound: HostAndPort(host: host, port: port))
        logger.info("listening on \(server.boundAddress)\(configuration.password == nil ? " (no authentication)" : " (VNC authentication)")")
        return server
    }

    /// Stops listening, disconnects every viewer and stops the frame clock.
    public func stop() async {
        try? await channel.close()
        output.stop()
        try? await group.shutdownGracefully()
    }

    /// Waits until the listener is closed (by `stop` or a signal).
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }

    /// `porthole serve`: logging to standard error, the connect hint on standard output, and a
    /// clean stop on SIGINT or SIGTERM.
    public static func serve(configuration: ServerConfiguration, source: FrameSource) async throws {
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
        fflush(stdout)
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
