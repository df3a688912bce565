import Foundation
import NIOCore
import NIOPosix
import Server

/// A TCP client that speaks no protocol at all: it sends whatever bytes a test gives it and
/// collects what the server sends, so tests can play a broken or hostile viewer. Every read has a
/// deadline. `stopReading()` leaves the server's bytes in the kernel, like a viewer that hangs.
final class RawTestClient: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case timedOut(wanted: Int, had: Int)
        var description: String {
            switch self {
            case .timedOut(let wanted, let had): return "timed out waiting for \(wanted) bytes (had \(had))"
            }
        }
    }

    private let channel: Channel
    private let inbox: Inbox

    /// Connects to `address`. A small `receiveBufferSize` makes a client that stops reading fill
    /// its window quickly.
    static func connect(to address: HostAndPort, receiveBufferSize: Int? = nil) async throws -> RawTestClient {
        let inbox = Inbox()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(inbox) }
            }
        if let receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
        }
        let channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        return RawTestClient(channel: channel, inbox: inbox)
    }

    private init(channel: Channel, inbox: Inbox) { self.channel = channel; self.inbox = inbox }

    /// Queues `bytes` for sending without waiting for the server to take them (a server that
    /// stops reading must not hang the test); writes still leave in the order they were queued.
    func send(_ bytes: [UInt8]) async {
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
    }

    func send(_ buffer: ByteBuffer) async {
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Takes exactly `count` received bytes, waiting at most `timeout` seconds for them.
    func read(_ count: Int, timeout: Double = TestPatience.seconds) async throws -> [UInt8] {
        let arrived = await eventually(timeout: timeout) { self.inbox.bufferedCount >= count }
        guard arrived else { throw Failure.timedOut(wanted: count, had: inbox.bufferedCount) }
        return inbox.take(count)
    }

    /// Everything received and not yet taken.
    func takeAll() -> [UInt8] { inbox.take(inbox.bufferedCount) }

    /// Whether the server has closed the connection (seen only while reading).
    var isClosed: Bool { inbox.closed }

    /// Waits until the server closes the connection; false if it is still open after `timeout`.
    func waitUntilClosed(timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) { self.inbox.closed }
    }

    /// Stops taking bytes from the socket, so the server's writes back up.
    func stopReading() async {
        try? await channel.setOption(.autoRead, value: false).get()
    }

    func close() async {
        try? await channel.close().get()
    }

    /// Does the RFB 3.8 handshake with security None by hand and drops ServerInit, for hostile
    /// clients that need to reach the normal phase without a state machine.
    func handshakeWithoutSecurity(timeout: Double = TestPatience.seconds) async throws {
        _ = try await read(12, timeout: timeout)                      // ProtocolVersion
        await send(Array("RFB 003.008\n".utf8))
        _ = try await read(2, timeout: timeout)                       // one security type: None
        await send([1])
        _ = try await read(4, timeout: timeout)                       // SecurityResult OK
        await send([1])                                               // ClientInit, shared
        let header = try await read(24, timeout: timeout)             // ServerInit up to the name length
        let nameLength = header[20...23].reduce(0) { $0 << 8 | Int($1) }
        _ = try await read(nameLength, timeout: timeout)
    }

    /// Collects inbound bytes and the closing of the connection.
    private final class Inbox: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        private var isClosed = false

        var bufferedCount: Int { lock.withLock { bytes.count } }
        var closed: Bool { lock.withLock { isClosed } }

        func take(_ count: Int) -> [UInt8] {
            lock.withLock {
                let taken = Array(bytes.prefix(count))
                bytes.removeFirst(taken.count)
                return taken
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let received = buffer.readBytes(length: buffer.readableBytes) ?? []
            lock.withLock { bytes += received }
        }

        func channelInactive(context: ChannelHandlerContext) {
            lock.withLock { isClosed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
