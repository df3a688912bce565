import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One connection of the `--web` listener: serves noVNC's files from the noVNC root and sends `/`
/// to `vnc.html` with a query that connects to the RFB port (which takes WebSocket, see
/// `TransportSniffer`). Files are read on NIO's thread pool at each request, so the event loops
/// never wait on the disk and installing noVNC while the server runs is picked up at once.
final class WebViewerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What a request gets, decided off the event loop.
    private enum Answer {
        case file(ByteBuffer, contentType: String)
        case redirect(String)
        case installHint
        case notFound
        case badRequest(String)
        case methodNotAllowed
    }

    private let root: String
    private let rfb: HostAndPort
    private let logger: Logger
    private var request: HTTPRequestHead?

    init(root: String, rfb: HostAndPort, logger: Logger) {
        self.root = root
        self.rfb = rfb
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            answer(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.notice("web viewer connection \(context.remoteAddress?.peerDescription ?? "unknown") failed: \(error)")
        context.close(promise: nil)
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else {
            return respond(.methodNotAllowed, to: head, context: context)
        }
        guard let segments = NoVNCSite.sanitizedSegments(of: head.uri) else {
            return respond(.badRequest("the path \(head.uri) is not allowed"), to: head, context: context)
        }
        let root = self.root
        let rfbHost = NoVNCSite.rfbHost(bound: rfb.host, requestHost: head.headers["Host"].first)
        let query = NoVNCSite.viewerQuery(rfbHost: rfbHost, rfbPort: rfb.port)
        let allocator = context.channel.allocator
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { () -> Answer in
            Self.lookUp(segments: segments, root: root, query: query, allocator: allocator)
        }.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let answer): self.respond(answer, to: head, context: context)
            case .failure(let error): self.respond(.badRequest("cannot read the file: \(error)"), to: head, context: context)
            }
        }
    }

    /// Blocking file access; runs on the thread pool.
    private static func lookUp(segments: [String], root: String, query: String, allocator: ByteBufferAllocator) -> Answer {
        var isDirectory: ObjCBool = false
        let installed = FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) && isDirectory.boolValue
        guard let last = segments.last else {
            return installed ? .redirect("/vnc.html?\(query)") : .installHint
        }
        guard installed else { return last.hasSuffix(".html") ? .installHint : .notFound }
        let path = ([root] + segments).joined(separator: "/")
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else { return .notFound }
        return .file(allocator.buffer(bytes: data), contentType: NoVNCSite.contentType(forFileNamed: last))
    }

    private func respond(_ answer: Answer, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let status: HTTPResponseStatus
        var headers = HTTPHeaders()
        var body: ByteBuffer
        let peer = context.remoteAddress?.peerDescription ?? "unknown"
        switch answer {
        case .file(let bytes, let contentType):
            status = .ok
            body = bytes
            headers.add(name: "Content-Type", value: contentType)
        case .redirect(let location):
            status = .found
            body = ByteBuffer(string: "see \(location)\n")
            headers.add(name: "Location", value: location)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        case .installHint:
            status = .ok
            body = ByteBuffer(string: NoVNCSite.installHint(root: root))
            headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
            logger.warning("web viewer: noVNC is not installed in \(root) (apt-get install novnc); \(peer) got the install page for \(head.uri)")
        case .notFound:
            status = .notFound
            body = ByteBuffer(string: "not found\n")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        case .badRequest(let why):
            status = .badRequest
            body = ByteBuffer(string: why + "\n")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            logger.notice("web viewer: refused \(head.method) \(head.uri) from \(peer): \(why)")
        case .methodNotAllowed:
            status = .methodNotAllowed
            body = ByteBuffer(string: "only GET and HEAD are served\n")
            headers.add(name: "Allow", value: "GET, HEAD")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        logger.debug("web viewer: \(peer) \(head.method) \(head.uri) -> \(status.code)")
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Cache-Control", value: "no-cache")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        if head.method == .HEAD { body.clear() }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }
}
