#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry
import NIOCore
import NIOPosix
import Pixels
import RFB
import RFBClient

/// `porthole snapshot`: connects to any VNC server, asks for the whole framebuffer in one
/// encoding, and returns the picture once every pixel has arrived.
public enum VNCSnapshot {
    public enum SnapshotError: Error, CustomStringConvertible {
        case protocolError(String)
        case cannotConnect(HostAndPort, String)
        case connectionClosed
        case timedOut(Double)
        public var description: String {
            switch self {
            case .protocolError(let why): return why
            case .cannotConnect(let address, let why): return "cannot connect to \(address): \(why)"
            case .connectionClosed: return "the server closed the connection before the picture was complete"
            case .timedOut(let s): return "no complete picture within \(s) s"
            }
        }
    }

    public static func capture(address: HostAndPort, preferredEncoding: Encoding, password: [UInt8]?,
                               timeout: Double) async throws -> PixelBuffer {
        try await captureWithLayout(address: address, preferredEncoding: preferredEncoding, password: password,
                                    timeout: timeout, askForLayout: false).picture
    }

    /// Like `capture`, and with `askForLayout` also takes ExtendedDesktopSize, returning the
    /// screen layout the server last sent with the picture (nil when it sent none).
    public static func captureWithLayout(address: HostAndPort, preferredEncoding: Encoding, password: [UInt8]?,
                                         timeout: Double, askForLayout: Bool) async throws -> (picture: PixelBuffer, layout: DesktopLayout?) {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: (picture: PixelBuffer, layout: DesktopLayout?).self)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let machine = ClientStateMachine(configuration: ClientConfiguration(password: password, shared: true),
                                                     decoders: DecoderRegistry.all())
                    try channel.pipeline.syncOperations.addHandler(
                        SnapshotHandler(machine: machine, encoding: preferredEncoding, askForLayout: askForLayout, promise: promise))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            let failure = SnapshotError.cannotConnect(address, Self.reason(error))
            promise.fail(failure)
            throw failure
        }
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(SnapshotError.timedOut(timeout))
        }
        defer { deadline.cancel(); channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }

    /// The system's words for why a connect failed ("Connection refused"), rather than NIO's
    /// nested error values.
    private static func reason(_ error: Error) -> String {
        if let failure = error as? NIOConnectionError, let first = failure.connectionErrors.first {
            return reason(first.error)
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "no answer (timed out)" }
        return "\(error)"
    }
}

/// Drives the client state machine until the whole framebuffer has been drawn at least once.
private final class SnapshotHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: ClientStateMachine
    private let encoding: Encoding
    private let askForLayout: Bool
    private let promise: EventLoopPromise<(picture: PixelBuffer, layout: DesktopLayout?)>
    private var received = Region()
    private var layout: DesktopLayout?
    private var done = false

    init(machine: ClientStateMachine, encoding: Encoding, askForLayout: Bool,
         promise: EventLoopPromise<(picture: PixelBuffer, layout: DesktopLayout?)>) {
        self.machine = machine
        self.encoding = encoding
        self.askForLayout = askForLayout
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for action in machine.receive(unwrapInboundIn(data)) {
            guard !done else { return }
            switch action {
            case .send(let bytes):
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            case .connected:
                // Only the asked-for encoding (and the pseudo-encodings the machine handles), so the
                // server cannot fall back to another one silently.
                let layoutEncodings: [Encoding] = askForLayout ? [.extendedDesktopSize] : []
                context.write(wrapOutboundOut(machine.setEncodings([encoding, .desktopSize, .lastRect, .desktopName] + layoutEncodings)),
                              promise: nil)
                context.writeAndFlush(wrapOutboundOut(machine.requestUpdate(incremental: false)), promise: nil)
            case .framebufferUpdated(let region):
                received.formUnion(region)
                if received.contains(machine.framebuffer.bounds) {
                    done = true
                    promise.succeed((machine.framebuffer, layout))
                    context.close(promise: nil)
                } else {
                    context.writeAndFlush(wrapOutboundOut(machine.requestUpdate(incremental: true)), promise: nil)
                }
            case .resized:
                received = Region()
                context.writeAndFlush(wrapOutboundOut(machine.requestUpdate(incremental: false)), promise: nil)
            case .error(let error):
                done = true
                promise.fail(VNCSnapshot.SnapshotError.protocolError(error.description))
                context.close(promise: nil)
            case .desktopLayout(let message):
                layout = message.layout
            case .nameChanged, .bell, .cutText, .needsMoreData, .extensionConfirmed, .endOfContinuousUpdates,
                 .fence, .cursorShape, .cursorMoved, .clipboard:
                break
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { done = true; promise.fail(VNCSnapshot.SnapshotError.connectionClosed) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done { done = true; promise.fail(error) }
        context.close(promise: nil)
    }
}
