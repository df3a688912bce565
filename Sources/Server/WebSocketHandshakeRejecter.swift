import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The last HTTP handler on a WebSocket connection of the RFB port. NIO's upgrade handler passes
/// on every request it did not upgrade; this answers it with the reason, logs one line for that
/// peer and closes. On a successful upgrade it is removed before it sees a frame.
final class WebSocketHandshakeRejecter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What is wrong with a request that reached this handler, as an HTTP answer.
    struct Refusal: Equatable {
        var statusCode: Int
        var reason: String
        var extraHeaders: [Header] = []
    }

    struct Header: Equatable {
        var name: String
        var value: String
    }

    private let logger: Logger
    private var answered = false

    init(logger: Logger) { self.logger = logger }

    /// Why a request with `method` and `headers` was not upgraded, in the order RFC 6455 §4.2.1
    /// lists the requirements.
    static func refusal(method: String, headers: [Header]) -> Refusal {
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
        guard method == "GET" else {
            return Refusal(statusCode: 405, reason: "a WebSocket handshake must be a GET request (RFC 6455 §4.2.1)",
                           extraHeaders: [Header(name: "Allow", value: "GET")])
        }
        let upgrade = values("Upgrade").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard upgrade.contains("websocket") else {
            return Refusal(statusCode: 400, reason: "this port speaks RFB (RFC 6143) and RFB over WebSocket (RFC 6455); "
                           + "the request is not a WebSocket upgrade. Browsers open the web viewer (porthole serve --web) instead")
        }
        let keys = values("Sec-WebSocket-Key")
        guard keys.count == 1 else {
            return Refusal(statusCode: 400, reason: keys.isEmpty
                           ? "the WebSocket handshake has no Sec-WebSocket-Key header (RFC 6455 §4.2.1 item 5)"
                           : "the WebSocket handshake has more than one Sec-WebSocket-Key header (RFC 6455 §4.2.1 item 5)")
        }
        guard values("Sec-WebSocket-Version") == ["13"] else {
            return Refusal(statusCode: 426, reason: "Sec-WebSocket-Version must be 13 (RFC 6455 §4.2.1 item 6, §4.4)",
                           extraHeaders: [Header(name: "Sec-WebSocket-Version", value: "13")])
        }
        return Refusal(statusCode: 400, reason: "the WebSocket handshake was refused")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !answered else { return }
        answered = true
        let refusal = Self.refusal(method: head.method.rawValue, headers: head.headers.map { Header(name: $0.name, value: $0.value) })
        let status = HTTPResponseStatus(statusCode: refusal.statusCode)
        let peer = context.remoteAddress?.peerDescription ?? "unknown"
        logger.notice("WebSocket handshake from \(peer) refused with \(refusal.statusCode): \(refusal.reason)")
        let body = ByteBuffer(string: refusal.reason + "\n")
        var headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"),
                                   ("Content-Length", "\(body.readableBytes)"), ("Connection", "close")])
        headers.add(contentsOf: refusal.extraHeaders.map { ($0.name, $0.value) })
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch error {
        case is NIOWebSocketUpgradeError, is HTTPServerUpgradeErrors:
            // The upgrade handler reports why it did not upgrade, then passes the request on:
            // `channelRead` answers it.
            break
        case let error as HTTPParserError:
            // NIO's HTTPServerProtocolErrorHandler has answered 400 and closes the connection.
            logger.notice("malformed HTTP request from \(context.remoteAddress?.peerDescription ?? "unknown") on the RFB port: \(error)")
        default:
            logger.notice("HTTP connection \(context.remoteAddress?.peerDescription ?? "unknown") failed: \(error)")
            context.close(promise: nil)
        }
    }
}
