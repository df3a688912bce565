import Display
import Geometry
import Logging
import NIOCore
import Pixels
import RFB
import RFBEncoders
import VNCAuth

/// One viewer's connection: the edge around the pure RFB state machines, served on a
/// `ViewerTransport` (NIO's pipeline, or the display device's thread).
///
/// It feeds received bytes to the handshake and then the session state machine, performs the
/// actions they return, and runs the update loop: damage from the output accumulates in a
/// `PendingUpdate`; when the viewer has asked for an update and the previous one has left the
/// socket, one FramebufferUpdate is encoded and written (DESIGN.md, "at most one update in flight").
/// A viewer that supports Fence is paced besides by fence pings and a congestion window
/// (`FencePacer`, docs/architecture.md "Pacing a slow link"): while the window is full, damage
/// keeps merging and the next update waits for a ping answer.
final class ViewerConnection: OutputSubscriber, @unchecked Sendable {

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
    /// An update request outside the framebuffer was logged at info (later ones go to debug).
    private var loggedRequestOutside = false
    /// The viewer's answer to the VNC Authentication challenge came while its address was blocked.
    private var answeredWhileBlocked = false
    /// The first JPEG rectangle is logged once (debug), so logs and tests can tell lossy was used.
    private var loggedFirstJPEG = false

    /// What the viewer is owed and the updates that pay it (created when the session starts).
    var updates: ViewerUpdateScheduler
    private var updateInFlight = false
    /// EndOfContinuousUpdates waits for the update in flight (rfbproto "EnableContinuousUpdates").
    private var endOfContinuousUpdatesPending = false
    private var stallTimer: ViewerTimer?
    /// Messages written outside updates (`write(_:)`) that the socket has not taken yet.
    private var unsentMessages = 0
    private var unsentMessageBytes = 0
    /// Since when the oldest of them has waited (or the socket last took one).
    private var messagesWaitingSince = NIODeadline.uptimeNanoseconds(0)
    /// When the update in flight was written (`updateInFlight`), for the stall watch.
    private var inFlightSince = NIODeadline.uptimeNanoseconds(0)
    /// Wakes the update loop when `--max-fps` held an update back, or when lossy tiles settle and
    /// are owed their lossless refresh.
    private var spacingTimer: ViewerTimer?
    private var spacingDeadline: NIODeadline?
    private var handshakeTimer: ViewerTimer?
    /// Congestion control over fence pings; inactive unless the viewer announced Fence.
    private var pacer = FencePacer()
    /// Wakes the update loop when the oldest ping is due to be given up on.
    private var pacingTimer: ViewerTimer?
    private var loggedUnexpectedFence = false
    /// The socket, until the connection is closed (the transport holds the connection too).
    private var transport: ViewerTransport?

    init(configuration: ServerConfiguration, output: LiveOutput, registry: ViewerRegistry, logger: Logger, transport: ViewerTransport) {
        self.transport = transport
        updates = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self))
        self.configuration = configuration
        self.output = output
        self.registry = registry
        self.logger = logger
    }

    // MARK: - Transport events

    /// The connection is open: the handshake starts.
    func connected() {
        guard let transport else { return }
        let remoteAddress = transport.remoteAddress
        peer = remoteAddress.map(Self.describe) ?? "unknown"
        logger[metadataKey: "viewer"] = "\(peer)"
        // A viewer past `--max-viewers` still gets the version exchange, so that it can be told
        // why in the security step (RFC 6143 §7.1.2) rather than see the connection drop.
        let number = registry.admit()
        var refusal: String?
        if number == nil {
            refusal = "the server is full: \(registry.maxViewers) viewers are connected"
            logger.notice("viewer \(peer) refused: \(registry.maxViewers) viewers already connected (--max-viewers)")
        }
        viewerNumber = number
        var security = ServerSecurity.none
        if let password = configuration.password {
            let registry = self.registry, address = Self.host(of: remoteAddress)
            // The throttle is asked again when the answer arrives, not only at connect: viewers
            // that connected in parallel before their address was blocked would otherwise each get
            // a guess checked, however many there are. Once blocked, no answer is checked, so even
            // the right password fails until the block ends.
            security = .vncAuthentication(verify: { [weak self] response, challenge in
                guard registry.mayAttemptAuthentication(from: address) else {
                    self?.answeredWhileBlocked = true
                    return false
                }
                return VNCAuthentication.verify(response: response, challenge: challenge, password: password)
            })
        }
        var challenge = [UInt8](repeating: 0, count: VNCAuthentication.challengeLength)
        var rng = SystemRandomNumberGenerator()
        for i in challenge.indices { challenge[i] = rng.next() }
        var handshake = ServerHandshakeStateMachine(
            security: security, challenge: challenge,
            authenticationAllowed: registry.mayAttemptAuthentication(from: Self.host(of: remoteAddress)),
            refusal: refusal)
        let actions = handshake.start()
        phase = .handshake(handshake)
        let limit = configuration.handshakeTimeout
        handshakeTimer = transport.schedule(at: .now() + .milliseconds(Int64(limit * 1000))) { [weak self] in
            guard let self, case .handshake = self.phase else { return }
            self.close(reason: "the handshake was not completed within \(limit) s")
        }
        perform(actions)
    }

    /// Bytes from the viewer.
    func received(_ bytes: ByteBuffer) {
        switch phase {
        case .handshake(var machine):
            let actions = machine.receive(bytes)
            phase = .handshake(machine)
            perform(actions)
        case .session(var machine):
            let actions = machine.receive(bytes)
            phase = .session(machine)
            perform(actions)
        case .closed:
            break
        }
    }

    /// The connection closed (either side): the viewer leaves the output and the registry.
    func disconnected() {
        stallTimer?.cancel()
        handshakeTimer?.cancel()
        spacingTimer?.cancel()
        pacingTimer?.cancel()
        output.unsubscribe(self)
        if viewerNumber != nil {
            registry.leave()
            var reason = closeReason ?? (registry.isStopping ? "the server is shutting down" : "the viewer closed the connection")
            if closeReason == nil, case .session(let machine) = phase, let partial = machine.incompleteMessage {
                reason += " in the middle of a message (\(partial) arrived)"
            }
            logger.info("viewer \(peer) disconnected: \(reason)")
        }
        phase = .closed
        transport = nil
    }

    /// The socket failed: the connection closes with the error as its reason.
    func failed(_ error: Error) {
        close(reason: "connection error: \(error)")
    }

    // MARK: - Actions

    private func perform(_ actions: [ServerHandshakeAction]) {
        for action in actions {
            switch action {
            case .send(let bytes):
                transport?.write(bytes, sent: nil)
            case .close(let reason):
                close(reason: reason)
                return
            case .authenticationSucceeded:
                registry.recordAuthentication(from: Self.host(of: transport?.remoteAddress), succeeded: true)
            case .authenticationFailed:
                let blocked = answeredWhileBlocked ? " (not checked: its address was blocked for too many authentication failures meanwhile)" : ""
                logger.warning("viewer \(peer) failed VNC authentication\(blocked)")
                registry.recordAuthentication(from: Self.host(of: transport?.remoteAddress), succeeded: false)
            case .completed(let version, let shared, let remaining):
                startSession(version: version, shared: shared, remaining: remaining)
                return
            }
        }
    }

    private func startSession(version: ProtocolVersion, shared: Bool, remaining: ByteBuffer) {
        handshakeTimer?.cancel()
        updates = ViewerUpdateScheduler(viewer: ObjectIdentifier(self), minimumUpdateInterval: configuration.minimumUpdateInterval,
                                        sharedRectangles: output.sharedRectangles)
        pacer = FencePacer(configuration: configuration.fencePacer)
        let start = output.subscribe(self)
        updates.start(with: start)
        let size = start.pixels.size
        var serverInit = ByteBuffer()
        serverInit.writeServerInit(size: size, format: .xrgb8888, name: start.name)
        transport?.write(serverInit, sent: nil)
        // Porthole always shares the desktop (like x11vnc -shared): a viewer asking for exclusive
        // access is logged but does not disconnect the others.
        var spoken = "RFB \(version)"
        if case .handshake(let machine) = phase, let answered = machine.answeredVersion, answered != version {
            spoken += " (it answered \(answered); RFC 6143 §7.1.1 speaks any unpublished version as 3.3)"
        }
        logger.info("viewer \(peer) connected (#\(viewerNumber ?? 0), \(spoken), \(shared ? "shared" : "asked for exclusive access; sharing anyway"))")
        var session = ServerSessionStateMachine(framebufferSize: size, supportedEncodings: Set(EncoderRegistry.implemented + [.copyRect]))
        let actions = remaining.readableBytes > 0 ? session.receive(remaining) : []
        phase = .session(session)
        perform(actions)
    }

    private func perform(_ actions: [ServerSessionAction]) {
        for action in actions {
            guard case .session = phase else { return }
            switch action {
            case .close(let reason):
                close(reason: reason)
                return
            case .setPixelFormat(let format):
                logger.debug("viewer \(peer) set pixel format \(format)")
                updates.setPixelFormat(format)
            case .sendColourMap:
                logger.debug("viewer \(peer) takes a colour map: sending the BGR233 stand-in's 256 entries")
                write { $0.writeSetColourMapEntries(firstColour: 0, colours: ColourMapStandIn.entries) }
            case .setEncodings(let preferences):
                logger.debug("viewer \(peer) encodings \(preferences.requested.map(\.description).joined(separator: ",")); using \(preferences.preferred)")
                updates.setEncodings(preferences)
                output.setTakesCopies(self, preferences.copyRect)
            case .updateRequestOutside(let requested, let framebuffer, let clipped):
                // Once per viewer at info, then at debug: a viewer racing a resize sends a few.
                let served = clipped.map { "served \($0.width)x\($0.height) at \($0.x),\($0.y)" } ?? "ignored"
                let line: Logger.Message = "viewer \(peer) asked for \(requested.width)x\(requested.height) at \(requested.x),\(requested.y), outside the \(framebuffer.width)x\(framebuffer.height) framebuffer: \(served)"
                logger.log(level: loggedRequestOutside ? .debug : .info, line)
                loggedRequestOutside = true
            case .updateRequested(let incremental, let rect):
                updates.request(incremental: incremental, rect: rect)
            case .key(let down, let keysym):
                if !configuration.viewOnly { output.handleKey(down: down, keysym: keysym) }
            case .qemuKey(let down, let keysym, _):
                if !configuration.viewOnly { output.handleKey(down: down, keysym: keysym) }
            case .pointer(let mask, let x, let y):
                if !configuration.viewOnly { output.handlePointer(buttonMask: mask, x: x, y: y, from: self) }
            case .confirmContinuousUpdates:
                write { $0.writeEndOfContinuousUpdates() }
            case .confirmFence:
                // Its empty answer is not a ping (`FencePingAnswer.notAPing`).
                write { $0.writeFence(flags: .request, payload: []) }
                if configuration.fencePacing { pacer.enable() }
            case .confirmExtendedClipboard:
                write { $0.writeExtendedServerCutText(.portholeCaps(maximumTextSize: UInt32(Self.clipboardLimit))) }
            case .confirmQEMUExtendedKeyEvent:
                updates.confirm { $0.writeQEMUExtendedKeyEventConfirmation() }
            case .confirmExtendedMouseButtons:
                updates.confirm { $0.writeExtendedMouseButtonsConfirmation() }
            case .setDesktopSize(let layout):
                requestDesktopSize(layout)
            case .desktopSizeRejected(let reply, let why):
                logger.notice("viewer \(peer) asked for an invalid desktop size: \(why)")
                write { $0.writeExtendedDesktopSizeUpdate(reply) }
            case .enableContinuousUpdates(let area):
                updates.enableContinuousUpdates(area)
            case .disableContinuousUpdates:
                updates.disableContinuousUpdates()
                if updateInFlight { endOfContinuousUpdatesPending = true } else { write { $0.writeEndOfContinuousUpdates() } }
            case .fence(let flags, let payload):
                // Requests are answered in order, after everything earlier was written; answers
                // (no Request) may be answers to our pings.
                if flags.contains(.request) {
                    write { $0.writeFence(flags: flags.response, payload: payload) }
                } else {
                    fenceAnswered(payload: payload)
                }
            case .clientCutText, .clipboardCaps, .clipboardRequest, .clipboardPeek, .clipboardNotify, .clipboardProvide:
                handleClipboard(action)
            }
        }
        sendUpdateIfDue()
    }

    /// SetDesktopSize (rfbproto): the output decides; a refusal or a no-op is answered to this
    /// viewer at once, a change reaches every viewer with the resized frame.
    private func requestDesktopSize(_ layout: DesktopLayout) {
        guard let transport else { return }
        output.requestResize(to: layout, by: self).whenComplete { [weak self, weak transport] result in
            transport?.execute { [weak self] in self?.resizeAnswered(layout, result) }
        }
    }

    /// The output's answer to `requestDesktopSize`, on this viewer's thread.
    private func resizeAnswered(_ layout: DesktopLayout, _ result: Result<LiveOutput.ResizeOutcome, Error>) {
        guard case .session = phase else { return }
        switch result {
        case .success(.resized):
            // The resized frame carries the answer (`resizedBy`); it may already have arrived.
            logger.info("viewer \(peer) resized the output to \(layout)")
        case .success(.unchanged):
            updates.answerDesktopSize(status: .noError, layout: layout)
        case .success(.prohibited(let why)):
            logger.notice("viewer \(peer) asked for \(layout.size): refused, \(why)")
            if let current = updates.frame?.layout { updates.answerDesktopSize(status: .prohibited, layout: current) }
        case .success(.forwarded):
            logger.info("viewer \(peer) asked for \(layout.size): passed on to the output's producer")
            if let current = updates.frame?.layout { updates.answerDesktopSize(status: .forwarded, layout: current) }
        case .success(.invalidSize(let why)):
            logger.notice("viewer \(peer) asked for \(layout.size): invalid for this output, \(why)")
            if let current = updates.frame?.layout { updates.answerDesktopSize(status: .invalidScreenLayout, layout: current) }
        case .failure(let error):
            logger.warning("viewer \(peer) resize failed: \(error)")
            if let current = updates.frame?.layout { updates.answerDesktopSize(status: .outOfResources, layout: current) }
        }
        sendUpdateIfDue()
    }

    // MARK: - Updates

    func deliver(_ work: @escaping @Sendable () -> Void) {
        transport?.deliver(work)
    }

    func frameArrived(_ newFrame: LiveOutput.Frame, damage: FrameDamage) {
        guard case .session(var session) = phase else { return }
        switch updates.frameArrived(newFrame, damage: damage) {
        case .accepted:
            break
        case .resized(let layout):
            session.setLayout(layout)
            phase = .session(session)
        case .unsupportedResize(let size):
            close(reason: "the output was resized to \(size) and the viewer does not support DesktopSize")
            return
        }
        sendUpdateIfDue()
    }

    private func sendUpdateIfDue() {
        guard case .session = phase, !updateInFlight, let transport else { return }
        let now = NIODeadline.now()
        if case .waitForAnswer(let giveUpAt) = pacer.decision(at: now) {
            waitForPingAnswer(until: giveUpAt)
            return
        }
        let message: ByteBuffer
        switch updates.nextUpdate(at: now) {
        case .idle:
            return
        case .wait(let deadline):
            // `--max-fps` or a lossless refresh: one timer at a time, the earliest; whatever arrives
            // meanwhile is merged.
            if spacingTimer != nil, let set = spacingDeadline, set <= deadline { return }
            spacingTimer?.cancel()
            spacingDeadline = deadline
            spacingTimer = transport.schedule(at: deadline) { [weak self] in
                guard let self else { return }
                self.spacingTimer = nil
                self.spacingDeadline = nil
                self.sendUpdateIfDue()
            }
            return
        case .send(let update):
            message = update
            if !loggedFirstJPEG, updates.jpegRectanglesSent > 0 {
                loggedFirstJPEG = true
                logger.debug("viewer \(peer) got its first JPEG rectangle (quality \(updates.preferences.qualityLevel ?? -1))")
            }
        }
        updateInFlight = true
        inFlightSince = .now()
        if stallTimer == nil { armStallWatch(at: inFlightSince + stallTimeout) }
        let byteCount = message.readableBytes
        transport.write(message) { [weak self] sent in
            guard let self else { return }
            self.updateInFlight = false
            guard sent else { return }
            if self.endOfContinuousUpdatesPending {
                self.endOfContinuousUpdatesPending = false
                self.write { $0.writeEndOfContinuousUpdates() }
            }
            self.sendUpdateIfDue()
        }
        // rfbproto "ServerFence": BlockBefore makes the viewer answer only after it has processed
        // the update, so the answer measures the whole path (from now: encoding is not the link).
        if let ping = pacer.updateSent(byteCount: byteCount, at: .now()) {
            write { $0.writeFence(flags: [.request, .blockBefore], payload: ping) }
        }
    }

    private var stallTimeout: TimeAmount { .milliseconds(Int64(configuration.stalledViewerTimeout * 1000)) }

    /// One watch per connection instead of a timer scheduled and cancelled with every update (a
    /// system call or two per frame): when it fires it closes a viewer whose update, or whose
    /// other messages, have been unsent for the whole timeout, and otherwise looks again when the
    /// oldest of them (or, with none, one sent now) would reach it.
    private func armStallWatch(at deadline: NIODeadline) {
        stallTimer = transport?.schedule(at: deadline) { [weak self] in
            guard let self else { return }
            let now = NIODeadline.now()
            if self.updateInFlight, now - self.inFlightSince >= self.stallTimeout {
                self.close(reason: "the viewer stopped reading (an update was unsent for \(self.configuration.stalledViewerTimeout) s)")
                return
            }
            if self.unsentMessages > 0, now - self.messagesWaitingSince >= self.stallTimeout {
                self.close(reason: "the viewer stopped reading (messages were unsent for \(self.configuration.stalledViewerTimeout) s)")
                return
            }
            let oldest = min(self.updateInFlight ? self.inFlightSince : now, self.unsentMessages > 0 ? self.messagesWaitingSince : now)
            self.armStallWatch(at: oldest + self.stallTimeout)
        }
    }

    /// The congestion window is full: the next ping answer calls `sendUpdateIfDue`; this timer
    /// only bounds how long a viewer that never answers can hold updates back.
    private func waitForPingAnswer(until giveUpAt: NIODeadline) {
        guard pacingTimer == nil else { return }
        pacingTimer = transport?.schedule(at: giveUpAt) { [weak self] in
            guard let self else { return }
            self.pacingTimer = nil
            if self.pacer.giveUpIfUnanswered(at: .now()) {
                self.logger.notice("viewer \(self.peer) announced Fence but did not answer a fence ping within \(self.pacer.configuration.answerTimeout.nanoseconds / 1_000_000) ms; pacing it by socket writes only")
            }
            self.sendUpdateIfDue()
        }
    }

    /// A ServerFence answer: a ping answer frees window; anything else is ignored (logged once).
    private func fenceAnswered(payload: [UInt8]) {
        switch pacer.answerReceived(payload: payload, at: .now()) {
        case .acknowledged(let roundTrip):
            logger.trace("viewer \(peer) ping answered: rtt \(roundTrip.nanoseconds / 1000) us, base \((pacer.baseRTT?.nanoseconds ?? 0) / 1000) us, window \(pacer.window), in flight \(pacer.bytesInFlight), outstanding \(pacer.outstandingPings), lone rtt \((pacer.loneRTT?.nanoseconds ?? 0) / 1000) us, bandwidth \(Int(pacer.bandwidth ?? 0)) B/s")
        case .notAPing:
            break
        case .unexpected(let sequence):
            if !loggedUnexpectedFence {
                loggedUnexpectedFence = true
                logger.notice("viewer \(peer) answered fence ping \(sequence), which is not outstanding; ignored")
            }
        }
    }

    /// The source rang the bell (RFC 6143 §7.6.3).
    func bellRang() {
        guard case .session = phase else { return }
        write { $0.writeBell() }
    }

    var configurationIsViewOnly: Bool { configuration.viewOnly }
    var isInSession: Bool { if case .session = phase { return true } else { return false } }
    var outputClipboard: String { output.clipboardText }
    func offerToOutput(_ text: String) {
        guard text.utf8.count <= Self.clipboardLimit else {
            logger.notice("viewer \(peer) clipboard text of \(text.utf8.count) bytes dropped (limit \(Self.clipboardLimit))")
            return
        }
        output.handleClipboard(text, from: self)
    }

    /// Writes a message outside the update loop (ServerCutText, Bell, fences, confirmations).
    /// These are not paced by the viewer's requests, so they are counted until the socket takes
    /// them: a viewer that stops reading is disconnected once they exceed
    /// `maximumUnsentMessageBytes`, or when none has left for `stalledViewerTimeout` (the stall
    /// watch), so its memory stays bounded whatever the other viewers and the source do.
    func write(_ body: (inout ByteBuffer) -> Void) {
        guard case .session = phase, let transport else { return }
        var message = ByteBuffer()
        body(&message)
        let byteCount = message.readableBytes
        if unsentMessages == 0 { messagesWaitingSince = .now() }
        unsentMessages += 1
        unsentMessageBytes += byteCount
        guard unsentMessageBytes <= configuration.maximumUnsentMessageBytes else {
            close(reason: "the viewer stopped reading (\(unsentMessageBytes) bytes of messages unsent, over the limit of \(configuration.maximumUnsentMessageBytes))")
            return
        }
        if stallTimer == nil { armStallWatch(at: messagesWaitingSince + stallTimeout) }
        transport.write(message) { [weak self] _ in
            guard let self else { return }
            self.unsentMessages -= 1
            self.unsentMessageBytes -= byteCount
            // The socket took one: the rest have waited only since now.
            self.messagesWaitingSince = .now()
        }
    }

    // MARK: - Helpers

    func close(reason: String) {
        if case .closed = phase { return }
        if closeReason == nil { closeReason = reason }
        phase = .closed
        transport?.close()
    }

    private static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
        return "\(address)"
    }

    private static func host(of address: SocketAddress?) -> String { address?.ipAddress ?? "unknown" }
}
