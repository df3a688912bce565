import Foundation
import Geometry
import NIOCore
import NIOPosix
import Pixels
import RFB
import RFBClient
import Server

/// A well-behaved viewer for the server tests: `ClientStateMachine` with every decoder, on a NIO
/// channel. It completes the handshake, sends its pixel format and encodings, and records each
/// FramebufferUpdate (the rectangles and their encodings) and each ServerCutText. By default it
/// asks for the whole screen once and then keeps one incremental request outstanding, like a real
/// viewer; tests about request timing turn that off and ask by hand.
final class TestViewer: @unchecked Sendable {
    struct Options {
        var password: [UInt8]? = nil
        /// The SetEncodings list; nil sends `ClientStateMachine.defaultEncodings`.
        var encodings: [Encoding]? = nil
        /// Sent before the encodings when not nil.
        var pixelFormat: PixelFormat? = nil
        /// Request the whole screen after connecting and an incremental update after each update.
        var requestsAutomatically = true
        /// The region automatic requests ask for; nil asks for the whole framebuffer.
        var requestedRect: Rect? = nil
        /// A slow link the server's bytes cross before the viewer processes them (nil: none).
        var slowLink: SimulatedSlowLink? = nil
        /// Answer the server's fence requests; false plays a viewer that announces Fence and
        /// never answers.
        var answersFences = true
        /// Keep a copy of the picture after each update (`pictures`).
        var keepsPictures = false
    }

    /// One FramebufferUpdate as received.
    struct Update {
        var region: Region
        var rectangles: [RectangleHeader]
        /// The rectangles sent lossy (Tight JPEG).
        var jpegRectangles: [Rect] = []
    }

    enum Failure: Error, CustomStringConvertible {
        case handshakeFailed(ClientError?)
        var description: String {
            switch self {
            case .handshakeFailed(let error): return "handshake failed: \(error.map(\.description) ?? "connection closed")"
            }
        }
    }

    private let channel: Channel
    private let handler: Handler

    /// Connects and waits (at most `timeout` seconds) until the handshake is over.
    static func connect(to address: HostAndPort, options: Options = Options(), timeout: Double = TestPatience.seconds) async throws -> TestViewer {
        let viewer = try await open(to: address, options: options)
        let ended = await eventually(timeout: timeout) { viewer.isConnected || viewer.isClosed }
        guard ended, viewer.isConnected else {
            await viewer.close()
            throw Failure.handshakeFailed(viewer.error)
        }
        return viewer
    }

    /// Connects without waiting for the handshake (for tests that expect it to fail).
    static func open(to address: HostAndPort, options: Options = Options()) async throws -> TestViewer {
        let handler = Handler(options: options)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: address.host, port: address.port).get()
        return TestViewer(channel: channel, handler: handler)
    }

    private init(channel: Channel, handler: Handler) { self.channel = channel; self.handler = handler }

    var isConnected: Bool { handler.state.withLock { $0.connected } }
    var isClosed: Bool { handler.state.withLock { $0.closed } }
    /// Why the client state machine gave up, if it did.
    var error: ClientError? { handler.state.withLock { $0.error } }
    var updates: [Update] { handler.state.withLock { $0.updates } }
    var updateCount: Int { handler.state.withLock { $0.updates.count } }
    var cutTexts: [[UInt8]] { handler.state.withLock { $0.cutTexts } }
    /// ExtendedDesktopSize rectangles received, in order.
    var layouts: [ExtendedDesktopSize] { handler.state.withLock { $0.layouts } }
    /// Extended Clipboard messages received, in order.
    var clipboardMessages: [ExtendedClipboardMessage] { handler.state.withLock { $0.clipboardMessages } }
    /// Bell messages received.
    var bells: Int { handler.state.withLock { $0.bells } }
    /// DesktopName changes received, in order.
    var names: [String] { handler.state.withLock { $0.names } }
    /// The desktop name ServerInit gave.
    var serverName: String? { handler.state.withLock { $0.serverName } }
    /// Cursor pseudo-rectangles received.
    var cursorShapes: Int { handler.state.withLock { $0.cursorShapes } }
    /// The cursor image last received.
    var lastCursorShape: CursorShape? { handler.state.withLock { $0.lastCursorShape } }
    /// PointerPos pseudo-rectangles received (rfbproto "PointerPos"), in order.
    var cursorPositions: [Point] { handler.state.withLock { $0.cursorPositions } }
    /// EndOfContinuousUpdates messages received.
    var endsOfContinuousUpdates: Int { handler.state.withLock { $0.endsOfContinuousUpdates } }
    /// Extensions the server confirmed with an empty pseudo-rectangle (QEMU keys, mouse buttons).
    var confirmedExtensions: Set<Encoding> { handler.state.withLock { $0.confirmedExtensions } }
    /// Framebuffer sizes the server switched the viewer to, in order.
    var resizes: [Size] { handler.state.withLock { $0.resizes } }
    /// The most bytes that were on the simulated slow link at once.
    var largestLinkBacklog: Int { handler.state.withLock { $0.largestLinkBacklog } }
    /// Each update's picture, taken when the update was complete (only with `keepsPictures`).
    var pictures: [PixelBuffer] { handler.state.withLock { $0.pictures } }
    /// Fences the viewer answered.
    var fencesAnswered: Int { handler.state.withLock { $0.fencesAnswered } }

    /// Drops the ExtendedDesktopSize rectangles received so far, so a test can look at what comes next.
    func forgetLayouts() { handler.state.withLock { $0.layouts.removeAll() } }

    /// The viewer's picture right now.
    func framebuffer() async throws -> PixelBuffer {
        try await channel.eventLoop.submit { self.handler.machine.framebuffer }.get()
    }

    /// Waits until the viewer's picture equals `expected`; false after `timeout` seconds.
    func waitForFramebuffer(_ expected: PixelBuffer, timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) {
            (try? await self.channel.eventLoop.submit { self.handler.machine.framebuffer == expected }.get()) ?? false
        }
    }

    /// Waits until at least `count` updates have arrived; false after `timeout` seconds.
    func waitForUpdates(_ count: Int, timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) { self.updateCount >= count }
    }

    /// Waits until the server has closed the connection; false after `timeout` seconds.
    func waitUntilClosed(timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) { self.isClosed }
    }

    func requestUpdate(incremental: Bool, rect: Rect? = nil) async {
        await sendFromMachine { $0.requestUpdate(incremental: incremental, rect: rect) }
    }

    func keyEvent(down: Bool, keysym: UInt32) async { await sendFromMachine { $0.keyEvent(down: down, keysym: keysym) } }

    func pointerEvent(buttonMask: UInt8, x: Int, y: Int) async {
        await sendFromMachine { $0.pointerEvent(buttonMask: buttonMask, x: x, y: y) }
    }

    func cutText(_ latin1: [UInt8]) async { await sendFromMachine { $0.cutText(latin1) } }

    /// Switches the viewer to `format` (the machine decodes later rectangles in it) and returns the
    /// SetPixelFormat bytes without sending them, so a test can send them in pieces.
    func switchPixelFormat(_ format: PixelFormat) async throws -> ByteBuffer {
        try await channel.eventLoop.submit { try self.handler.machine.setPixelFormat(format) }.get()
    }

    /// Sends bytes as they are, bypassing the state machine (for malformed messages). Queued
    /// without waiting for the server to take them, so a server that stops reading cannot hang
    /// the test; writes still leave in order.
    func send(_ bytes: ByteBuffer) async {
        channel.writeAndFlush(bytes, promise: nil)
    }

    func close() async {
        try? await channel.close().get()
    }

    /// Sends the bytes `make` produces from the viewer's state machine (on its event loop).
    func sendFromMachine(_ make: @escaping @Sendable (ClientStateMachine) -> ByteBuffer) async {
        guard let bytes = try? await channel.eventLoop.submit({ make(self.handler.machine) }).get() else { return }
        await send(bytes)
    }

    /// What the test thread reads; the state machine itself lives on the channel's event loop.
    struct ObservedState {
        var connected = false
        var closed = false
        var error: ClientError?
        var updates: [Update] = []
        var cutTexts: [[UInt8]] = []
        var layouts: [ExtendedDesktopSize] = []
        var clipboardMessages: [ExtendedClipboardMessage] = []
        var cursorShapes = 0
        var bells = 0
        var names: [String] = []
        /// The desktop name of ServerInit.
        var serverName: String?
        var lastCursorShape: CursorShape?
        var cursorPositions: [Point] = []
        var endsOfContinuousUpdates = 0
        var confirmedExtensions: Set<Encoding> = []
        var resizes: [Size] = []
        var largestLinkBacklog = 0
        var pictures: [PixelBuffer] = []
        var fencesAnswered = 0
    }

    /// Drives the state machine on the channel's event loop.
    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let options: Options
        let tally = RectangleTally()
        /// Touched only on the event loop.
        var machine: ClientStateMachine
        let state = LockedState(ObservedState())
        /// Touched only on the event loop.
        var link: SimulatedSlowLink?

        init(options: Options) {
            self.options = options
            machine = ClientStateMachine(configuration: ClientConfiguration(password: options.password, shared: true),
                                         decoders: RecordingDecoder.all(recordingInto: tally))
            link = options.slowLink
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            guard link != nil else { return process(bytes, context: context) }
            let arrival = link!.send(bytes, at: .now())
            state.withLock { $0.largestLinkBacklog = link!.largestBacklog }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: arrival) { [self] in
                for arrived in link!.arrived(by: .now()) { process(arrived, context: bound.value) }
            }
        }

        private func process(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
            for action in machine.receive(bytes) {
                switch action {
                case .send(let bytes):
                    // After the handshake the machine sends only fence answers.
                    let connected = state.withLock { $0.connected }
                    if connected && !options.answersFences { break }
                    if connected { state.withLock { $0.fencesAnswered += 1 } }
                    context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
                case .connected(let info):
                    state.withLock { $0.serverName = info.name }
                    if let format = options.pixelFormat, let bytes = try? machine.setPixelFormat(format) {
                        context.write(wrapOutboundOut(bytes), promise: nil)
                    }
                    context.write(wrapOutboundOut(machine.setEncodings(options.encodings ?? machine.defaultEncodings)), promise: nil)
                    if options.requestsAutomatically {
                        context.write(wrapOutboundOut(machine.requestUpdate(incremental: false, rect: options.requestedRect)), promise: nil)
                    }
                    context.flush()
                    state.withLock { $0.connected = true }
                case .framebufferUpdated(let region):
                    let update = Update(region: region, rectangles: tally.takeAll(), jpegRectangles: tally.takeJPEG())
                    let picture = options.keepsPictures ? machine.framebuffer : nil
                    state.withLock { $0.updates.append(update); if let picture { $0.pictures.append(picture) } }
                    if options.requestsAutomatically {
                        context.writeAndFlush(wrapOutboundOut(machine.requestUpdate(incremental: true, rect: options.requestedRect)), promise: nil)
                    }
                case .cutText(let text):
                    state.withLock { $0.cutTexts.append(text) }
                case .error(let error):
                    state.withLock { $0.error = error }
                    context.close(promise: nil)
                case .desktopLayout(let message):
                    state.withLock { $0.layouts.append(message) }
                case .clipboard(let message):
                    state.withLock { $0.clipboardMessages.append(message) }
                    if case .notify(let formats) = message, formats.contains(.text) {
                        context.writeAndFlush(wrapOutboundOut(machine.clipboard(.request(.text))), promise: nil)
                    }
                case .cursorShape(let shape):
                    state.withLock { $0.cursorShapes += 1; $0.lastCursorShape = shape }
                case .bell:
                    state.withLock { $0.bells += 1 }
                case .nameChanged(let name):
                    state.withLock { $0.names.append(name) }
                case .endOfContinuousUpdates:
                    state.withLock { $0.endsOfContinuousUpdates += 1 }
                case .extensionConfirmed(let encoding):
                    state.withLock { _ = $0.confirmedExtensions.insert(encoding) }
                case .resized(let size):
                    state.withLock { $0.resizes.append(size) }
                case .cursorMoved(let position):
                    state.withLock { $0.cursorPositions.append(position) }
                case .needsMoreData, .fence:
                    break
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLock { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
