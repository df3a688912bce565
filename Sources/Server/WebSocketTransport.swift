import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Builds the pipeline of a connection that `TransportSniffer` found to speak HTTP: NIO's HTTP/1
/// server handlers with its WebSocket upgrader (which checks Sec-WebSocket-Key and -Version and
/// answers Sec-WebSocket-Accept, RFC 6455 §4.2.2), then, once upgraded, `WebSocketRFBFramer` and
/// the viewer's own handler. Any request path is accepted: the port serves one thing, and noVNC
/// asks for `/websockify` unless told otherwise.
enum WebSocketTransport {
    /// Adds the HTTP handlers to `channel`; `makeViewer` gives the handler that speaks RFB once the
    /// upgrade is done.
    static func configure(channel: Channel, maxFrameSize: Int, logger: Logger,
                          makeViewer: @escaping @Sendable (Channel) -> ChannelHandler) throws {
        let rejecter = WebSocketHandshakeRejecter(logger: logger)
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxFrameSize,
            // The framer answers decoder errors itself, so that the log line names the cause.
            automaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                var headers = HTTPHeaders()
                if let chosen = WebSocketSubprotocol.negotiate(offered: head.headers["Sec-WebSocket-Protocol"]) {
                    headers.add(name: "Sec-WebSocket-Protocol", value: chosen.rawValue)
                }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let subprotocol = WebSocketSubprotocol.negotiate(offered: head.headers["Sec-WebSocket-Protocol"]) ?? .binary
                    let framer = WebSocketRFBFramer(subprotocol: subprotocol, maxMessageSize: maxFrameSize)
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(framer)
                    try pipeline.addHandler(makeViewer(channel))
                    logger.debug("WebSocket upgrade of \(channel.remoteAddress?.peerDescription ?? "unknown") to \(head.uri) (\(subprotocol.rawValue) frames)")
                    // The viewer joins an active channel: give it the activation the sniffer held back.
                    try pipeline.context(handler: framer).fireChannelActive()
                }
            })
        let rejecterBox = NIOLoopBound(rejecter, eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                // Runs after the 101 response and before the upgrader adds the frame codec: the
                // rejecter must not stand between the socket and the frame decoder.
                context.pipeline.syncOperations.removeHandler(rejecterBox.value, promise: nil)
            }),
            withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(rejecter)
    }
}
