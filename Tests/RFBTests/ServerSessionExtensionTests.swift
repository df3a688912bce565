import Testing
import NIOCore
import Geometry
import Pixels
import RFB

/// The session machine with the rfbproto extensions: negotiation, the actions for the edge, and
/// hostile or out-of-turn input.
struct ServerSessionExtensionTests {
    static let size = Size(width: 800, height: 600)
    static let everything: [Encoding] = [.raw, .extendedDesktopSize, .continuousUpdates, .fence, .qemuExtendedKeyEvent,
                                         .extendedMouseButtons, .extendedClipboard, .cursor, .xCursor, .cursorPosition]

    private func machine(extensions: ServerExtensions = .all, limits: ClientMessageLimits = ClientMessageLimits()) -> ServerSessionStateMachine {
        ServerSessionStateMachine(framebufferSize: Self.size, supportedEncodings: [.raw], extensions: extensions, limits: limits)
    }

    /// A machine whose viewer listed every extension, with the SetEncodings actions dropped.
    private func negotiated(limits: ClientMessageLimits = ClientMessageLimits()) -> ServerSessionStateMachine {
        var session = machine(limits: limits)
        _ = feed(&session, .setEncodings(Self.everything))
        return session
    }

    private func feed(_ machine: inout ServerSessionStateMachine, _ messages: ClientMessage...) -> [ServerSessionAction] {
        var buffer = ByteBuffer()
        for message in messages { buffer.writeClientMessage(message) }
        return machine.receive(buffer)
    }

    private func closeReason(_ actions: [ServerSessionAction]) -> String? {
        guard actions.count == 1, case .close(let reason) = actions[0] else { return nil }
        return reason
    }

    // MARK: Negotiation

    @Test func listingExtensionsAsksForTheirConfirmations() {
        var session = machine()
        let actions = feed(&session, .setEncodings(Self.everything))
        let preferences = session.encodingPreferences
        #expect(actions == [.setEncodings(preferences), .confirmContinuousUpdates, .confirmFence, .confirmQEMUExtendedKeyEvent,
                            .confirmExtendedMouseButtons, .confirmExtendedClipboard])
        #expect(preferences.extendedDesktopSize && preferences.continuousUpdates && preferences.fence)
        #expect(preferences.qemuExtendedKeyEvent && preferences.extendedMouseButtons && preferences.extendedClipboard)
        #expect(preferences.cursor && preferences.xCursor && preferences.cursorPosition)
    }

    @Test func confirmationsComeOnceExceptClipboardCaps() {
        var session = negotiated()
        #expect(feed(&session, .setEncodings(Self.everything)) == [.setEncodings(session.encodingPreferences), .confirmExtendedClipboard])
    }

    @Test func extensionsTheServerDoesNotOfferAreNeitherConfirmedNorAccepted() {
        var session = machine(extensions: [])
        #expect(feed(&session, .setEncodings(Self.everything)) == [.setEncodings(session.encodingPreferences)])
        #expect(closeReason(feed(&session, .fence(flags: [.request], payload: []))) == "ClientFence from a viewer that did not negotiate Fence")
    }

    @Test func extensionMessagesBeforeNegotiationClose() {
        let cases: [(ClientMessage, String)] = [
            (.enableContinuousUpdates(enable: true, rect: .zero), "EnableContinuousUpdates from a viewer that did not negotiate ContinuousUpdates"),
            (.fence(flags: [], payload: []), "ClientFence from a viewer that did not negotiate Fence"),
            (.setDesktopSize(DesktopLayout(singleScreen: Self.size)), "SetDesktopSize from a viewer that did not negotiate ExtendedDesktopSize"),
            (.qemuExtendedKeyEvent(down: true, keysym: 0x61, keycode: 0x1e), "QEMU Extended Key Event from a viewer that did not negotiate it"),
        ]
        for (message, reason) in cases {
            var session = machine()
            #expect(closeReason(feed(&session, message)) == reason)
            #expect(session.isClosed)
        }
    }

    // MARK: SetDesktopSize

    @Test func validSetDesktopSizeIsPassedOn() {
        var session = negotiated()
        let layout = DesktopLayout(size: Size(width: 3840, height: 1080), screens: [
            Screen(id: 1, rect: Rect(x: 0, y: 0, width: 1920, height: 1080)),
            Screen(id: 2, rect: Rect(x: 1920, y: 0, width: 1920, height: 1080)),
        ])
        #expect(feed(&session, .setDesktopSize(layout)) == [.setDesktopSize(layout)])
    }

    @Test func overlappingScreensAreAValidLayout() {
        var session = negotiated()
        let layout = DesktopLayout(size: Size(width: 100, height: 100), screens: [
            Screen(id: 1, rect: Rect(x: 0, y: 0, width: 100, height: 100)),
            Screen(id: 2, rect: Rect(x: 50, y: 50, width: 50, height: 50)),
        ])
        #expect(feed(&session, .setDesktopSize(layout)) == [.setDesktopSize(layout)], "rfbproto: screens may overlap")
    }

    @Test(arguments: [
        (DesktopLayout(size: Size(width: 1024, height: 768), screens: []), "no screens"),
        (DesktopLayout(size: Size(width: 0, height: 0), screens: [Screen(id: 0, rect: .zero)]), "framebuffer size 0x0 is empty"),
        (DesktopLayout(singleScreen: Size(width: 65535, height: 65535)), "framebuffer size 65535x65535 exceeds 16384 on a side"),
        (DesktopLayout(size: Size(width: 100, height: 100), screens: [Screen(id: 0, rect: Rect(x: 50, y: 0, width: 51, height: 10))]),
         "screen 0 51x10+50+0 lies outside the 100x100 framebuffer"),
        (DesktopLayout(size: Size(width: 100, height: 100), screens: [Screen(id: 0, rect: Rect(x: 5, y: 5, width: 0, height: 10))]),
         "screen 0 0x10+5+5 is empty"),
        (DesktopLayout(size: Size(width: 100, height: 100), screens: [Screen(id: 7, rect: Rect(x: 0, y: 0, width: 10, height: 10)),
                                                                       Screen(id: 7, rect: Rect(x: 10, y: 0, width: 10, height: 10))]),
         "screen id 7 is used twice"),
    ])
    func invalidLayoutsGetAReadyReply(layout: DesktopLayout, why: String) {
        var session = negotiated()
        let reply = ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: DesktopLayout(singleScreen: Self.size))
        #expect(feed(&session, .setDesktopSize(layout)) == [.desktopSizeRejected(reply: reply, why: "SetDesktopSize \(layout): \(why)")])
        #expect(!session.isClosed)
    }

    @Test func theReplyCarriesTheCurrentLayout() {
        var session = negotiated()
        let current = DesktopLayout(size: Size(width: 200, height: 100), screens: [
            Screen(id: 4, rect: Rect(x: 0, y: 0, width: 100, height: 100)), Screen(id: 5, rect: Rect(x: 100, y: 0, width: 100, height: 100)),
        ])
        session.setLayout(current)
        guard case .desktopSizeRejected(let reply, _) = feed(&session, .setDesktopSize(DesktopLayout(size: Size(width: 1, height: 1), screens: []))).first else {
            Issue.record("expected a rejection"); return
        }
        #expect(reply.layout == current)
        #expect(session.framebufferSize == Size(width: 200, height: 100))
    }

    @Test func setDesktopSizeOverTheDecodersScreenLimitClosesFromItsHeader() {
        var session = negotiated(limits: ClientMessageLimits(maximumScreenCount: 8))
        #expect(session.receive(ByteBuffer(bytes: [251, 0, 0xff, 0xff, 0xff, 0xff, 9, 0])) == [.close(reason: "SetDesktopSize lists 9 screens (limit 8)")])
    }

    @Test func setDesktopSizeWith255ScreensIsAnsweredInvalidLayout() throws {
        var session = negotiated()
        let current = session.layout
        let screens = (0..<255).map { Screen(id: UInt32($0), rect: Rect(x: $0, y: 0, width: 1, height: 1)) }
        var message = ByteBuffer()
        message.writeClientMessage(.setDesktopSize(DesktopLayout(size: Size(width: 255, height: 1), screens: screens)))
        guard case .desktopSizeRejected(let reply, let why)? = session.receive(message).first else {
            Issue.record("expected a rejection"); return
        }
        #expect(reply.status == .invalidScreenLayout)
        #expect(reply.layout == current)
        #expect(why.contains("255 screens (at most 64)"), "\(why)")
    }

    // MARK: Continuous updates

    @Test func continuousUpdatesTakeOverIncrementalRequests() {
        var session = negotiated()
        #expect(feed(&session, .enableContinuousUpdates(enable: true, rect: Rect(x: 700, y: 0, width: 500, height: 100)))
                == [.enableContinuousUpdates(Rect(x: 700, y: 0, width: 100, height: 100))])
        #expect(session.continuousUpdatesRect == Rect(x: 700, y: 0, width: 100, height: 100))
        #expect(feed(&session, .framebufferUpdateRequest(incremental: true, rect: Rect(size: Self.size))).isEmpty,
                "rfbproto: incremental requests are ignored while continuous updates are on")
        #expect(feed(&session, .framebufferUpdateRequest(incremental: false, rect: Rect(x: 0, y: 0, width: 10, height: 10)))
                == [.updateRequested(incremental: false, rect: Rect(x: 0, y: 0, width: 10, height: 10))])
        #expect(feed(&session, .enableContinuousUpdates(enable: false, rect: .zero)) == [.disableContinuousUpdates])
        #expect(session.continuousUpdatesRect == nil)
        #expect(feed(&session, .enableContinuousUpdates(enable: false, rect: .zero)) == [.disableContinuousUpdates],
                "disabling again still asks for EndOfContinuousUpdates")
        #expect(feed(&session, .framebufferUpdateRequest(incremental: true, rect: Rect(x: 0, y: 0, width: 1, height: 1)))
                == [.updateRequested(incremental: true, rect: Rect(x: 0, y: 0, width: 1, height: 1))])
    }

    @Test func continuousUpdatesAreaFollowsAResize() {
        var session = negotiated()
        _ = feed(&session, .enableContinuousUpdates(enable: true, rect: Rect(size: Self.size)))
        session.resizeFramebuffer(to: Size(width: 100, height: 50))
        #expect(session.continuousUpdatesRect == Rect(x: 0, y: 0, width: 100, height: 50))
    }

    // MARK: Fence

    @Test func fenceRequestsAreAnsweredInOrder() {
        var session = negotiated()
        #expect(feed(&session, .keyEvent(down: true, keysym: 1), .fence(flags: [.request, .blockBefore], payload: [1]), .keyEvent(down: false, keysym: 1))
                == [.key(down: true, keysym: 1), .fence(flags: [.request, .blockBefore], payload: [1]), .key(down: false, keysym: 1)])
        #expect(FenceFlags(rawValue: 0x8000_00ff).response == [.blockBefore, .blockAfter, .syncNext])
    }

    @Test func syncNextFenceIsAnsweredAfterTheNextMessage() {
        var session = negotiated()
        let fence = ClientMessage.fence(flags: [.request, .syncNext], payload: [7])
        #expect(feed(&session, fence, .setPixelFormat(.rgb565), .keyEvent(down: true, keysym: 2))
                == [.setPixelFormat(.rgb565), .fence(flags: [.request, .syncNext], payload: [7]), .key(down: true, keysym: 2)])
        // Split across two receives, and two SyncNext fences in a row.
        var split = negotiated()
        #expect(feed(&split, fence).isEmpty)
        #expect(feed(&split, .fence(flags: [.request, .syncNext], payload: [8])) == [.fence(flags: [.request, .syncNext], payload: [7])])
        #expect(feed(&split, .framebufferUpdateRequest(incremental: false, rect: Rect(x: 0, y: 0, width: 1, height: 1)))
                == [.updateRequested(incremental: false, rect: Rect(x: 0, y: 0, width: 1, height: 1)),
                    .fence(flags: [.request, .syncNext], payload: [8])])
    }

    @Test func fenceResponsesArePassedOn() {
        var session = negotiated()
        #expect(feed(&session, .fence(flags: [.blockBefore], payload: [])) == [.fence(flags: [.blockBefore], payload: [])])
    }

    @Test func fencePayloadOver64BytesCloses() {
        var session = negotiated()
        var bytes: [UInt8] = [248, 0, 0, 0, 0x80, 0, 0, 0, 65]
        bytes += [UInt8](repeating: 0, count: 65)
        #expect(session.receive(ByteBuffer(bytes: bytes)) == [.close(reason: "ClientFence declares a 65-byte payload (at most 64)")])
    }

    // MARK: Input

    @Test func qemuKeysArePassedOn() {
        var session = negotiated()
        #expect(feed(&session, .qemuExtendedKeyEvent(down: true, keysym: 0xff53, keycode: 0xcd)) == [.qemuKey(down: true, keysym: 0xff53, keycode: 0xcd)])
    }

    @Test func unknownQEMUSubmessageCloses() {
        var session = negotiated()
        #expect(session.receive(ByteBuffer(bytes: [255, 1, 0, 0])) == [.close(reason: "unknown QEMU client submessage 1")])
    }

    @Test func extendedMouseButtonsReachTheEdgeAsSixteenBitMasks() {
        var session = negotiated()
        #expect(feed(&session, .extendedPointerEvent(buttonMask: 0x181, x: 5, y: 6000), .pointerEvent(buttonMask: 0x04, x: 1, y: 1))
                == [.pointer(buttonMask: 0x181, x: 5, y: 599), .pointer(buttonMask: 0x04, x: 1, y: 1)])
        var legacy = machine()
        #expect(feed(&legacy, .pointerEvent(buttonMask: 0x80, x: 1, y: 2)) == [.pointer(buttonMask: 0x80, x: 1, y: 2)])
    }

    // MARK: Extended clipboard

    @Test func clipboardMessagesBecomeActions() {
        var session = negotiated()
        #expect(feed(&session, .extendedClientCutText(.caps(actions: [.caps, .request], maximumSizes: [.text: 10])),
                     .extendedClientCutText(.request(.text)), .extendedClientCutText(.peek),
                     .extendedClientCutText(.notify([.text, .html])), .extendedClientCutText(.providing(text: "a\nb")),
                     .extendedClientCutText(.provide([.html: [1]])), .clientCutText([0xe9]))
                == [.clipboardCaps(actions: [.caps, .request], maximumSizes: [.text: 10]), .clipboardRequest(.text), .clipboardPeek,
                    .clipboardNotify([.text, .html]), .clipboardProvide(text: "a\nb"), .clipboardProvide(text: nil), .clientCutText([0xe9])])
    }

    @Test func clipboardBombCloses() {
        var session = negotiated(limits: ClientMessageLimits(maximumCutTextLength: 4096))
        let actions = feed(&session, .extendedClientCutText(.provide([.text: [UInt8](repeating: 0, count: 1 << 20)])))
        #expect(closeReason(actions) == "extended clipboard provide inflates past the limit of 4096 bytes")
    }

    @Test func clipboardLengthBeyondTheLimitClosesFromItsHeader() {
        var session = negotiated(limits: ClientMessageLimits(maximumCutTextLength: 4096))
        #expect(session.receive(ByteBuffer(bytes: [6, 0, 0, 0, 0xff, 0xff, 0xef, 0xff]))
                == [.close(reason: "extended ClientCutText declares 4097 bytes (limit 4096)")])
    }

    // MARK: Any split

    @Test func byteByByteFeedingGivesTheSameActions() {
        let messages: [ClientMessage] = [
            .setEncodings(Self.everything), .extendedPointerEvent(buttonMask: 0x100, x: 1, y: 2),
            .fence(flags: [.request, .syncNext], payload: [1, 2, 3]), .setPixelFormat(.rgb565),
            .enableContinuousUpdates(enable: true, rect: Rect(size: Self.size)),
            .setDesktopSize(DesktopLayout(singleScreen: Size(width: 1024, height: 768))),
            .qemuExtendedKeyEvent(down: true, keysym: 0x61, keycode: 0x1e),
            .extendedClientCutText(.providing(text: "hello")),
        ]
        var buffer = ByteBuffer()
        for message in messages { buffer.writeClientMessage(message) }
        var whole = machine(), split = machine()
        let expected = whole.receive(buffer)
        var actions: [ServerSessionAction] = []
        for byte in buffer.readableBytesView { actions += split.receive(ByteBuffer(bytes: [byte])) }
        #expect(actions == expected)
        #expect(expected.count == 13)
        #expect(!split.isClosed)
    }
}
