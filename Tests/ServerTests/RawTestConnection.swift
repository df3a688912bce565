import Foundation
import NIOCore
import NIOPosix

/// A TCP client for tests that speaks bytes only, so a test can send exactly what it wants
/// (including what no well-behaved client sends) and look at exactly what comes back.
final class RawTestConnection: @unchecked Sendable {
    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let lock = NSLock()
        var bytes: [UInt8] = []
        var closed = false
        let firstBytes: [UInt8]

        init(firstBytes: [UInt8]) { self.firstBytes = firstBytes }

        /// Taken when the connection comes up: once the server has closed it, the channel no
        /// longer knows its address.
        var localDescription = "unknown"

        func channelActive(context: ChannelHandlerContext) {
            if let address = context.localAddress, let ip = address.ipAddress, let port = address.port {
                localDescription = "\(ip):\(port)"
            }
            if !firstBytes.isEmpty { context.writeAndFlush(NIOAny(ByteBuffer(bytes: firstBytes)), promise: nil) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            lock.withLock { bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            lock.withLock { closed = true }
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    let channel: Channel
    private let collector: Collector
    /// Collecting bytes is all these connections do on it.
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private init(channel: Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects; `firstBytes` are written from the event loop as soon as the connection is up, the
    /// way a browser sends its upgrade request, so that the server's transport sniffing sees them
    /// at once however busy the test's own tasks are.
    ///
    /// The connections run on a loop of their own, not NIO's shared singleton: test viewers decode
    /// whole updates on the singleton's loops (`TestViewer`), and behind a few large ones in a
    /// debug build a connection's first bytes came later than the server's transport sniffing
    /// waits, so the server took a browser for a native viewer and closed on its "GET".
    static func connect(port: Int, host: String = "127.0.0.1", firstBytes: [UInt8] = []) async throws -> RawTestConnection {
        let collector = Collector(firstBytes: firstBytes)
        let channel = try await ClientBootstrap(group: Self.group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        return RawTestConnection(channel: channel, collector: collector)
    }

    /// The client's own address as the server logs it.
    var localDescription: String { collector.localDescription }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Waits until `take` can take something off the front of the received bytes.
    func receive<T>(_ what: String, timeout: Double = TestPatience.seconds, _ take: (inout [UInt8]) -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let taken: T? = collector.lock.withLock { take(&collector.bytes) }
            if let taken { return taken }
            if collector.lock.withLock({ collector.closed }) {
                // One more look: the last bytes may have come with the close.
                if let taken = collector.lock.withLock({ take(&collector.bytes) }) { return taken }
                throw Timeout(what: "\(what) (the connection closed first)")
            }
            guard Date() < deadline else { throw Timeout(what: what) }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
    }

    /// Waits until the server closed the connection.
    func waitUntilClosed(timeout: Double = TestPatience.seconds) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if collector.lock.withLock({ collector.closed }) { return true }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return false
    }

    func close() { channel.close(promise: nil) }
}
