import NIOCore

/// A viewer served in a NIO pipeline (plain TCP, or RFB over WebSocket behind
/// `WebSocketRFBFramer`): the pipeline's last handler, which hands the channel's events to its
/// `ViewerConnection` and performs the connection's I/O on the channel's event loop.
final class NIOViewerTransport: ChannelInboundHandler, ViewerTransport, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let eventLoop: EventLoop
    private var context: ChannelHandlerContext?
    /// Set by the connection that owns this transport (`ViewerConnection.init`); dropped once the
    /// channel is inactive, which ends the cycle between the two.
    var connection: ViewerConnection?

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    var remoteAddress: SocketAddress? { context?.remoteAddress }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        connection?.connected()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection?.received(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.disconnected()
        connection = nil
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        connection?.failed(error)
    }

    func write(_ bytes: ByteBuffer, sent: ((Bool) -> Void)?) {
        guard let context else { sent?(false); return }
        guard let sent else {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            return
        }
        let promise = eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { result in
            if case .success = result { sent(true) } else { sent(false) }
        }
        context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
    }

    func schedule(at deadline: NIODeadline, _ body: @escaping () -> Void) -> ViewerTimer {
        let box = NIOLoopBound(body, eventLoop: eventLoop)
        return eventLoop.scheduleTask(deadline: deadline) { box.value() }
    }

    func execute(_ body: @escaping @Sendable () -> Void) {
        eventLoop.execute(body)
    }

    /// Always later: frames published on the output's event loop must not run a viewer's update
    /// inside the publish, as they never did before the transports were split.
    func deliver(_ body: @escaping @Sendable () -> Void) {
        eventLoop.execute(body)
    }

    func close() {
        context?.close(promise: nil)
    }
}
