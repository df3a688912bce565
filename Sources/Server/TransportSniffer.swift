import Logging
import NIOCore

/// The first handler of every connection on the RFB port: it tells native RFB viewers from browsers
/// (RFB over WebSocket, RFC 6455) so that both use one port, then builds the rest of the pipeline
/// and leaves it.
///
/// RFB has the server speak first (ProtocolVersion, RFC 6143 §7.1.1) and a native viewer sends
/// nothing until it has that; a browser sends its HTTP upgrade request (RFC 6455 §4.1) at once and
/// waits for the 101 answer. So the server listens for `timeout` before speaking:
/// - bytes beginning "GET " arrive: the connection is a WebSocket one (`configureWebSocket`);
/// - other bytes arrive, or the time passes in silence: it is RFB (`configureRFB`), and any early
///   bytes are handed on for the RFB handshake to judge.
///
/// The alternative, sending the RFB version at once and switching to HTTP when "GET " comes back,
/// would put "RFB 003.008\n" in front of the browser's HTTP response and break the handshake; a
/// second port for WebSocket would make users configure two addresses. The price of sniffing is
/// that every native viewer waits `timeout` once, before the version arrives.
///
/// Neither `configure` closure may fire `channelActive`: the sniffer swallows the channel's
/// activation and passes it on only once the real handlers are in place, so `ViewerConnection`
/// starts its handshake exactly as on a plain TCP pipeline.
final class TransportSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let configureRFB: (Channel) throws -> Void
    private let configureWebSocket: (Channel) throws -> Void
    private var logger: Logger
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var decided = false

    init(timeout: TimeAmount, logger: Logger,
         configureRFB: @escaping (Channel) throws -> Void,
         configureWebSocket: @escaping (Channel) throws -> Void) {
        self.timeout = timeout
        self.logger = logger
        self.configureRFB = configureRFB
        self.configureWebSocket = configureWebSocket
    }

    func channelActive(context: ChannelHandlerContext) {
        let peer = context.remoteAddress?.peerDescription ?? "unknown"
        logger[metadataKey: "viewer"] = "\(peer)"
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (sniffer, context) = loopBound.value
            sniffer.decide(.rfb, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !decided else { context.fireChannelRead(data); return }
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        let kind = TransportKind.classify(received!.readableBytesView)
        if kind != .undecided { decide(kind, context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if !decided {
            logger.debug("connection from \(context.remoteAddress?.peerDescription ?? "unknown") closed before it spoke")
        }
        context.fireChannelInactive()
    }

    private func decide(_ kind: TransportKind, context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        timer?.cancel()
        do {
            switch kind {
            case .webSocket:
                logger.debug("connection speaks HTTP: WebSocket transport")
                try configureWebSocket(context.channel)
            case .rfb, .undecided:
                try configureRFB(context.channel)
            }
        } catch {
            logger.error("cannot set up the connection: \(error)")
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
        if let received {
            self.received = nil
            context.fireChannelRead(wrapInboundOut(received))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
