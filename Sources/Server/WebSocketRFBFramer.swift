import Logging
import NIOCore
import NIOWebSocket

/// Carries RFB over an upgraded WebSocket connection: the frames a browser sends become the
/// ByteBuffers `ViewerConnection` reads, and the ByteBuffers it writes become frames. RFB is a byte
/// stream, so message boundaries mean nothing on either side.
///
/// It sits after NIO's `WebSocketFrameDecoder`, which already refuses frames over the size limit,
/// fragmented control frames and control frames over 125 bytes (RFC 6455 §5.5) by raising a
/// `NIOWebSocketError`; this handler answers those errors, and the rules the decoder leaves to its
/// user, with a Close frame carrying the matching status code (RFC 6455 §7.4.1), and then hands a
/// `WebSocketTransportError` on so that the viewer's log line says what went wrong.
final class WebSocketRFBFramer: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    /// A data message whose first frame had FIN clear (RFC 6455 §5.4).
    private enum Message {
        case binary
        case text(ByteBuffer)
    }

    private let subprotocol: WebSocketSubprotocol
    private let maxMessageSize: Int
    private var message: Message?
    private var closing = false

    init(subprotocol: WebSocketSubprotocol, maxMessageSize: Int) {
        self.subprotocol = subprotocol
        self.maxMessageSize = maxMessageSize
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        // RFC 6455 §5.1: a server must close the connection on a frame that is not masked.
        guard frame.maskKey != nil else { return fail(.unmaskedFrame, context: context) }
        // RFC 6455 §5.2: RSV bits are set only by negotiated extensions, and none is negotiated.
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else { return fail(.reservedBitsSet, context: context) }
        let payload = frame.unmaskedData
        switch frame.opcode {
        case .binary:
            guard message == nil else { return fail(.unfinishedMessage, context: context) }
            if !frame.fin { message = .binary }
            deliver(payload, context: context)
        case .text:
            guard subprotocol == .base64 else { return fail(.textOnBinaryConnection, context: context) }
            guard message == nil else { return fail(.unfinishedMessage, context: context) }
            if frame.fin { deliverBase64(payload, context: context) } else { message = .text(payload) }
        case .continuation:
            switch message {
            case nil:
                fail(.continuationWithoutMessage, context: context)
            case .binary:
                if frame.fin { message = nil }
                deliver(payload, context: context)
            case .text(var text):
                var more = payload
                guard text.readableBytes + more.readableBytes <= maxMessageSize else {
                    return fail(.messageTooLarge(maxMessageSize), context: context)
                }
                text.writeBuffer(&more)
                if frame.fin { message = nil; deliverBase64(text, context: context) } else { message = .text(text) }
            }
        case .ping:
            // RFC 6455 §5.5.2–3: answer with a Pong carrying the same application data.
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: payload)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // RFC 6455 §5.5.1: answer a Close with a Close (echoing the status code), then close TCP.
            closing = true
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code = payload.getWebSocketErrorCode(at: payload.readerIndex) { reply.write(webSocketErrorCode: code) }
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)
            context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            fail(.unknownOpcode(frame.opcode), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let error = error as? NIOWebSocketError else { return context.fireErrorCaught(error) }
        switch error {
        case .invalidFrameLength: fail(.messageTooLarge(maxMessageSize), context: context)
        case .fragmentedControlFrame: fail(.fragmentedControlFrame, context: context)
        case .multiByteControlFrameLength: fail(.controlFrameTooLong, context: context)
        }
    }

    private func deliver(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        guard bytes.readableBytes > 0 else { return }
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    private func deliverBase64(_ text: ByteBuffer, context: ChannelHandlerContext) {
        guard let bytes = Base64Framing.decode(text) else { return fail(.invalidBase64, context: context) }
        deliver(bytes, context: context)
    }

    // MARK: - Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let bytes = unwrapOutboundIn(data)
        let frame: WebSocketFrame
        switch subprotocol {
        case .binary: frame = WebSocketFrame(fin: true, opcode: .binary, data: bytes)
        case .base64: frame = WebSocketFrame(fin: true, opcode: .text, data: Base64Framing.encode(bytes))
        }
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    /// The viewer's handler closes the connection (an RFB error, a refused viewer, the server
    /// stopping): send a Close frame first, so the browser sees a closing handshake with status 1000
    /// rather than a dropped connection (RFC 6455 §5.5.1, §7.1.2; noVNC otherwise reports code
    /// 1006). After a Close of our own or the peer's, the channel just closes.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, !closing, context.channel.isActive else { return context.close(mode: mode, promise: promise) }
        closing = true
        message = nil
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: .normalClosure)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: - Failing

    /// Sends a Close frame with the error's status code (RFC 6455 §7.1.7 "fail the WebSocket
    /// connection"), then reports the error down the pipeline and closes.
    private func fail(_ error: WebSocketTransportError, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        message = nil
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: error.closeCode)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}
