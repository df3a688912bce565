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
    private var preferences = EncodingPreferences()
    /// The output changed size and the viewer has not been told yet (DesktopSize, RFC 6143 §7.8.2).
    private var desktopSizeChangePending = false
    /// Where this viewer's picture has the pointer drawn into it, as far as the server knows.
    private var cursorDrawnAt: Rect?
    private var updateInFlight = false
    private var stallTimer: Scheduled<Void>?
    private var handshakeTimer: Scheduled<Void>?
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
        let limit = configuration.handshakeTimeout
        handshakeTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(limit * 1000))) { [weak self] in
            guard let self, let context = self.context, case .handshake = self.phase else { return }
            self.close(reason: "the handshake was not completed within \(limit) s", context: context)
        }
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
        handshakeTimer?.cancel()
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
        handshakeTimer?.cancel()
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
                self.preferences = preferences
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
                if !configuration.viewOnly { output.handleClipboard(Latin1.string(from: text), from: self) }
            }
        }
    }

    // MARK: - Updates

    func frameArrived(_ newFrame: LiveOutput.Frame, damage: FrameDamage) {
        guard case .session(var session) = phase, let context else { return }
        let newSize = newFrame.pixels.size
        if let old = frame, old.pixels.size != newSize {
            guard preferences.desktopSize else {
                close(reason: "the output was resized to \(newSize) and the viewer does not support DesktopSize", context: context)
                return
            }
            session.resizeFramebuffer(to: newSize)
            phase = .session(session)
            pending.reset(bounds: Rect(size: newSize))
            if !requested.isEmpty { requested = Region(Rect(size: newSize)) }
            desktopSizeChangePending = true
        } else {
            pending.add(damage)
            if let old = frame, old.cursor != newFrame.cursor {
                var stale = Region(newFrame.cursor.footprint ?? .zero)
                if let drawn = cursorDrawnAt { stale.formUnion(drawn) }
                pending.addDamage(stale)
            }
        }
        frame = newFrame
        sendUpdateIfDue(context: context)
    }

    private func sendUpdateIfDue(context: ChannelHandlerContext) {
        guard case .session = phase, !updateInFlight, !requested.isEmpty, let frame,
              !pending.isEmpty || desktopSizeChangePending else { return }
        var (copies, damage) = pending.take(requested: requested)
        guard !copies.isEmpty || !damage.isEmpty || desktopSizeChangePending else { return }
        requested = Region()
        let newSize = desktopSizeChangePending ? frame.pixels.size : nil
        desktopSizeChangePending = false
        let pixels = pictureWithCursor(frame, copies: copies, damage: &damage)
        let message = pixels.withView { view in
            updateEncoder.encodeUpdate(copies: copies, damage: damage, frame: view, translator: translator, desktopSize: newSize)
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

    /// The frame as this viewer must see it, with the pointer drawn in, and the damage grown by
    /// what the copies disturb: a copy carries drawn cursor pixels along (its ghost must be
    /// repainted) and may paint over the drawn cursor (which must be drawn again).
    private func pictureWithCursor(_ frame: LiveOutput.Frame, copies: [CopyMove], damage: inout Region) -> PixelBuffer {
        let bounds = frame.pixels.bounds
        guard let position = frame.cursor.position, let whole = frame.cursor.footprint else { return frame.pixels }
        let footprint = whole.intersection(bounds)
        for copy in copies {
            if let drawn = cursorDrawnAt {
                let ghost = drawn.intersection(Rect(origin: copy.source, size: copy.destination.size))
                damage.formUnion(ghost.offsetBy(dx: copy.dx, dy: copy.dy).intersection(bounds))
            }
            damage.formUnion(footprint.intersection(copy.destination))
        }
        var stillDrawn = Region()
        if let drawn = cursorDrawnAt, !damage.contains(drawn) { stillDrawn.formUnion(drawn) }
        var pixels = frame.pixels
        if !damage.intersection(footprint).isEmpty {
            frame.cursor.image.draw(into: &pixels, at: position, clip: footprint)
            stillDrawn.formUnion(footprint)
        }
        cursorDrawnAt = stillDrawn.isEmpty ? nil : stillDrawn.bounds
        return pixels
    }

    // MARK: - Helpers

    private func close(reason: String, context: ChannelHandlerContext) {
        if case .closed = phase { return }
        if closeReason == nil { closeReason = reason }
        phase = .closed
        context.close(promise: nil)
    }

    /// Sends the output's clipboard to this viewer (RFC 6143 §7.6.4: ServerCutText is Latin-1).
    func clipboardChanged(_ text: String) {
        let latin1 = Latin1.bytes(from: text)
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
