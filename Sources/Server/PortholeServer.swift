import Capture
import Foundation
import Logging
import NIOCore
import NIOPosix

/// `porthole serve`: one output fed by a built-in source, served over RFB on TCP.
public enum PortholeServer {
    /// Runs until SIGINT or SIGTERM. Prints `listening on HOST:PORT` (the real port, also when 0 was
    /// asked for) once viewers can connect.
    public static func serve(configuration: ServerConfiguration, source: FrameSource) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        let logger = Logger(label: "porthole")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let output = LiveOutput(name: "demo", source: source, eventLoop: group.next(), frameRate: configuration.sourceFrameRate)
        let registry = ViewerRegistry(maxViewers: configuration.maxViewers)

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
        let bound = channel.localAddress.flatMap { address -> String? in
            guard let ip = address.ipAddress, let port = address.port else { return nil }
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        } ?? "\(configuration.host):\(configuration.port)"
        let frame = output.frame.pixels
        print("porthole: serving \(frame.width)x\(frame.height) \"\(configuration.desktopName)\"; listening on \(bound)")
        print("porthole: connect with: vncviewer \(bound.replacingOccurrences(of: ":", with: "::", options: .backwards, range: bound.range(of: ":", options: .backwards)))")
        fflush(stdout)
        logger.info("listening on \(bound)\(configuration.password == nil ? " (no authentication)" : " (VNC authentication)")")

        let signals = installSignalHandlers { signal in
            logger.notice("received \(signal); shutting down")
            channel.close(promise: nil)
        }
        try await channel.closeFuture.get()
        signals.forEach { $0.cancel() }
        output.stop()
        try await group.shutdownGracefully()
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
