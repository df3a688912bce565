import Display
import Geometry
import Logging
import NIOCore
import Pixels
import RFB
import RFBEncoders
import VNCAuth

/// One viewer's connection: the NIO edge around the pure RFB state machines.
///
/// It feeds received bytes to the handshake and then the session state machine, performs the
/// actions they return, and runs the update loop: damage from the output accumulates in a
/// `PendingUpdate`; when the viewer has asked for an update and the previous one has left the
/// socket, one FramebufferUpdate is encoded and written (DESIGN.md, "at most one update in flight").
final class ViewerConnection: ChannelInboundHandler, OutputSubscriber, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshake(ServerHandshakeStateMachine)
        case session(ServerSessionStateMachine)
        case closed
    }

    private let configuration: ServerConfiguration
    private let output: LiveOutput
    private let registry: ViewerRegistry
    private var logger: Logger
    private var phase: Phase = .closed
    private var viewerNumber: Int?
    private var peer = "unknown"
    private var closeReason: String?

    private var frame: LiveOutput.Frame?
    private var pending = PendingUpdate(bounds: .zero)
    private var requested = Region()
    private var updateEncoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
    private var translator = PixelTranslator(format: .xrgb8888)
    private var updateInFlight = false
    private var stallTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    let eventLoop: EventLoop

    init(configuration: ServerConfiguration, output: LiveOutput, registry: ViewerRegistry, logger: Logger, eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.output = output
        self.registry = registry
        self.logger = logger
    }

    // MARK: - Channel events

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        peer = context.remoteAddress.map(Self.describe) ?? "unknown"
        logger[metadataKey: "viewer"] = "\(peer)"
        guard let number = registry.admit() else {
            logger.notice("viewer \(peer) refused: \(registry.maxViewers) viewers already connected (--max-viewers)")
            context.close(promise: nil)
            return
        }
        viewerNumber = number
        var security = ServerSecurity.none
        if let password = configuration.password {
            security = .vncAuthentication(verify: { VNCAuthentication.verify(response: $0, challenge: $1, password: password) })
        }
        var challenge = [UInt8](repeating: 0, count: VNCAuthentication.challengeLength)
        var rng = SystemRandomNumberGenerator()
        for i in challenge.indices { challenge[i] = rng.next() }
        var handshake = ServerHandshakeStateMachine(
            security: security, challenge: challenge,
            authenticationAllowed: registry.mayAttemptAuthentication(from: Self.host(of: context.remoteAddress)))
        let actions = handshake.start()
        phase = .handshake(handshake)
        perform(actions, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        switch phase {
        case .handshake(var machine):
            let actions = machine.receive(bytes)
            phase = .handshake(machine)
            perform(actions, context: context)
        case .session(var machine):
            let actions = machine.receive(bytes)
            phase = .session(machine)
            perform(actions, context: context)
        case .closed:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stallTimer?.cancel()
        output.unsubscribe(self)
        if viewerNumber != nil {
            registry.leave()
            logger.info("viewer \(peer) disconnected: \(closeReason ?? "the viewer closed the connection")")
        }
        phase = .closed
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close(reason: "connection error: \(error)", context: context)
    }

    // MARK: - Actions

    private func perform(_ actions: [ServerHandshakeAction], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let bytes):
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            case .close(let reason):
                close(reason: reason, context: context)
                return
            case .authenticationSucceeded:
                registry.recordAuthentication(from: Self.host(of: context.remoteAddress), succeeded: true)
            case .authenticationFailed:
                logger.warning("viewer \(peer) failed VNC authentication")
                registry.recordAuthentication(from: Self.host(of: context.remoteAddress), succeeded: false)
            case .completed(let version, let shared, let remaining):
                startSession(version: version, shared: shared, remaining: remaining, context: context)
                return
            }
        }
    }

    private func startSession(version: ProtocolVersion, shared: Bool, remaining: ByteBuffer, context: ChannelHandlerContext) {
        let start = output.subscribe(self)
        frame = start
        let size = start.pixels.size
        pending.reset(bounds: Rect(size: size))
        var serverInit = ByteBuffer()
        serverInit.writeServerInit(size: size, format: .xrgb8888, name: configuration.desktopName)
        context.writeAndFlush(wrapOutboundOut(serverInit), promise: nil)
        // Porthole always shares the desktop (like x11vnc -shared): a viewer asking for exclusive
        // access is logged but does not disconnect the others.
        logger.info("viewer \(peer) connected (#\(viewerNumber ?? 0), RFB \(version), \(shared ? "shared" : "asked for exclusive access; sharing anyway"))")
        var session = ServerSessionStateMachine(framebufferSize: size, supportedEncodings: Set(EncoderRegistry.implemented + [.copyRect]))
        let actions = remaining.readableBytes > 0 ? session.receive(remaining) : []
        phase = .session(session)
        perform(actions, context: context)
    }

    private func perform(_ actions: [ServerSessionAction], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .close(let reason):
                close(reason: reason, context: context)
                return
            case .setPixelFormat(let format):
                logger.debug("viewer \(peer) set pixel format \(format)")
                translator = PixelTranslator(format: format)
            case .setEncodings(let preferences):
                logger.debug("viewer \(peer) encodings \(preferences.requested.map(\.description).joined(separator: ",")); using \(preferences.preferred)")
                updateEncoder.configure(preferences)
            case .updateRequested(let incremental, let rect):
                if !incremental { pending.addDamage(Region(rect)) }
                requested.formUnion(rect)
                sendUpdateIfDue(context: context)
            case .key(let down, let keysym):
                if !configuration.viewOnly { output.handleKey(down: down, keysym: keysym) }
            case .pointer(let mask, let x, let y):
                if !configuration.viewOnly { output.handlePointer(buttonMask: mask, x: x, y: y) }
            case .clientCutText(let text):
                if !configuration.viewOnly { output.handleClipboard(latin1: text, from: self) }
            }
        }
    }

    // MARK: - Updates

    func frameArrived(_ newFrame: LiveOutput.Frame, damage: FrameDamage) {
        guard case .session = phase, let context else { return }
        frame = newFrame
        pending.add(damage)
        sendUpdateIfDue(context: context)
    }

    private func sendUpdateIfDue(context: ChannelHandlerContext) {
        guard case .session = phase, !updateInFlight, !requested.isEmpty, !pending.isEmpty, let frame else { return }
        let (copies, damage) = pending.take(requested: requested)
        guard !copies.isEmpty || !damage.isEmpty else { return }
        requested = Region()
        let message = frame.pixels.withView { view in
            updateEncoder.encodeUpdate(copies: copies, damage: damage, frame: view, translator: translator)
        }
        guard let message else { return }
        updateInFlight = true
        let timeout = configuration.stalledViewerTimeout
        stallTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) { [weak self] in
            guard let self, let context = self.context else { return }
            self.close(reason: "the viewer stopped reading (an update was unsent for \(timeout) s)", context: context)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [weak self] result in
            guard let self else { return }
            self.stallTimer?.cancel()
            self.updateInFlight = false
            if case .success = result, let context = self.context { self.sendUpdateIfDue(context: context) }
        }
        context.writeAndFlush(wrapOutboundOut(message), promise: promise)
    }

    // MARK: - Helpers

    private func close(reason: String, context: ChannelHandlerContext) {
        if case .closed = phase { return }
        if closeReason == nil { closeReason = reason }
        phase = .closed
        context.close(promise: nil)
    }

    /// Sends the output's clipboard to this viewer (RFC 6143 §7.6.4).
    func clipboardChanged(latin1: [UInt8]) {
        guard case .session = phase, let context else { return }
        var message = ByteBuffer()
        message.writeServerCutText(latin1)
        context.writeAndFlush(wrapOutboundOut(message), promise: nil)
    }

    private static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
        return "\(address)"
    }

    private static func host(of address: SocketAddress?) -> String { address?.ipAddress ?? "unknown" }
}
