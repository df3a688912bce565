import Testing
import NIOCore
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import RFBClient

/// The client state machine reading the rfbproto extension messages and pseudo-rectangles.
struct ClientExtensionTests {
    static let size = Size(width: 32, height: 24)

    /// A client past the handshake (3.3, None) with a 32x24 XRGB8888 framebuffer that listed
    /// every extension it understands.
    private func connectedClient(limits: ClientLimits = ClientLimits()) -> ClientStateMachine {
        var client = ClientStateMachine(configuration: ClientConfiguration(limits: limits), decoders: [.raw: TestRawDecoder()])
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.003\n".utf8)))
        _ = client.receive(ByteBuffer(bytes: [0, 0, 0, 1]))
        var serverInit = ByteBuffer()
        serverInit.writeServerInit(size: Self.size, format: .xrgb8888, name: "test")
        _ = client.receive(serverInit)
        _ = client.setEncodings(client.defaultEncodings + ClientStateMachine.extensionEncodings)
        return client
    }

    private func update(_ body: (inout ByteBuffer) -> Void, count: UInt16 = 1) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeFramebufferUpdateHeader(count: count)
        body(&buffer)
        return buffer
    }

    private func fenceBytes(_ flags: FenceFlags, _ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeFence(flags: flags, payload: payload)
        return buffer
    }

    // MARK: ExtendedDesktopSize

    @Test func extendedDesktopSizeResizesAndReportsTheLayout() {
        var client = connectedClient()
        let layout = DesktopLayout(size: Size(width: 40, height: 30), screens: [
            Screen(id: 1, rect: Rect(x: 0, y: 0, width: 20, height: 30)), Screen(id: 2, rect: Rect(x: 20, y: 0, width: 20, height: 30)),
        ])
        let message = ExtendedDesktopSize(reason: .server, layout: layout)
        #expect(client.receive(update { $0.writeExtendedDesktopSize(message) })
                == [.resized(Size(width: 40, height: 30)), .desktopLayout(message), .framebufferUpdated(Region())])
        #expect(client.framebuffer.size == Size(width: 40, height: 30))
        #expect(client.layout == layout)
        #expect(client.confirmedExtensions.contains(.extendedDesktopSize))
    }

    @Test func sameSizeOnlyReportsTheLayout() {
        var client = connectedClient()
        let message = ExtendedDesktopSize(reason: .otherClient, layout: DesktopLayout(singleScreen: Self.size))
        #expect(client.receive(update { $0.writeExtendedDesktopSize(message) }) == [.desktopLayout(message), .framebufferUpdated(Region())])
    }

    @Test func aRefusedRequestChangesNothing() {
        var client = connectedClient()
        let refusal = ExtendedDesktopSize(reason: .thisClient, status: .prohibited, layout: DesktopLayout(size: Size(width: 999, height: 999), screens: []))
        #expect(client.receive(update { $0.writeExtendedDesktopSize(refusal) }) == [.desktopLayout(refusal), .framebufferUpdated(Region())])
        #expect(client.framebuffer.size == Self.size)
        #expect(client.layout == nil)
    }

    @Test func extendedDesktopSizeIsBounded() {
        var client = connectedClient(limits: ClientLimits(maximumFramebufferPixels: 32 * 24))
        let message = ExtendedDesktopSize(reason: .server, layout: DesktopLayout(singleScreen: Size(width: 65535, height: 65535)))
        #expect(client.receive(update { $0.writeExtendedDesktopSize(message) }) == [.error(.framebufferTooLarge(Size(width: 65535, height: 65535)))])
    }

    // MARK: Cursors

    @Test(arguments: [PixelFormat.xrgb8888, .rgb565])
    func cursorShapesAreReadInTheClientsFormat(format: PixelFormat) throws {
        var client = connectedClient()
        _ = try client.setPixelFormat(format)
        let picture = TestImages.random(width: 5, height: 3)
        let quantized = TestImages.quantized(picture, to: format)
        let shape = CursorShape(hotspot: Point(x: 2, y: 1), size: Size(width: 5, height: 3), pixels: picture.pixels, mask: [0xf8, 0x70, 0x20])
        let actions = client.receive(update { $0.writeCursor(shape, translator: PixelTranslator(format: format)) })
        let expected = CursorShape(hotspot: shape.hotspot, size: shape.size, pixels: quantized.pixels, mask: shape.mask)
        #expect(actions == [.cursorShape(expected), .framebufferUpdated(Region())])
        #expect(client.cursor == expected)
    }

    @Test func xCursorAndPointerPosition() {
        var client = connectedClient()
        let shape = XCursorShape(hotspot: Point(x: 1, y: 1), size: Size(width: 2, height: 2), foreground: 0xffffff, background: 0,
                                 bitmap: [0x80, 0x40], mask: [0xc0, 0xc0])
        let hidden = XCursorShape(hotspot: .zero, size: Size(width: 0, height: 0), foreground: 0, background: 0, bitmap: [], mask: [])
        let actions = client.receive(update({
            $0.writeXCursor(shape)
            $0.writeCursorPosition(Point(x: 7, y: 9))
            $0.writeXCursor(hidden)
        }, count: 3))
        #expect(actions == [.cursorShape(shape.cursorShape), .cursorMoved(Point(x: 7, y: 9)), .cursorShape(.hidden), .framebufferUpdated(Region())])
        #expect(client.cursorPosition == Point(x: 7, y: 9))
        #expect(client.cursor == .hidden)
    }

    @Test func oversizedCursorIsRefusedFromItsHeader() {
        var client = connectedClient(limits: ClientLimits(maximumCursorPixels: 64 * 64))
        var bytes = ByteBuffer()
        bytes.writeFramebufferUpdateHeader(count: 1)
        bytes.writeRectangleHeader(RectangleHeader(rect: Rect(x: 0, y: 0, width: 65535, height: 65535), encoding: .cursor))
        #expect(client.receive(bytes) == [.error(.cursorTooLarge(Size(width: 65535, height: 65535)))])
    }

    // MARK: Confirmations, continuous updates, fences

    @Test func confirmationsUnlockExtendedPointerEvents() {
        var client = connectedClient()
        #expect(Array(client.pointerEvent(buttons: 0x181, x: 1, y: 2).readableBytesView) == [5, 0x81, 0, 1, 0, 2], "before: buttons 1 to 8 only")
        let actions = client.receive(update({
            $0.writeQEMUExtendedKeyEventConfirmation()
            $0.writeExtendedMouseButtonsConfirmation()
        }, count: 2))
        #expect(actions == [.extensionConfirmed(.qemuExtendedKeyEvent), .extensionConfirmed(.extendedMouseButtons), .framebufferUpdated(Region())])
        #expect(Array(client.pointerEvent(buttons: 0x181, x: 1, y: 2).readableBytesView) == [5, 0x81, 0, 1, 0, 2, 3])
        #expect(Array(client.pointerEvent(buttons: 0x80, x: 1, y: 2).readableBytesView) == [5, 0x80, 0, 1, 0, 2, 1], "button 8 needs the long form")
        #expect(Array(client.pointerEvent(buttons: 0x05, x: 1, y: 2).readableBytesView) == [5, 0x05, 0, 1, 0, 2])
    }

    @Test func endOfContinuousUpdates() {
        var client = connectedClient()
        #expect(client.receive(ByteBuffer(bytes: [150])) == [.endOfContinuousUpdates])
        #expect(client.confirmedExtensions.contains(.continuousUpdates))
        #expect(Array(client.enableContinuousUpdates(true).readableBytesView) == [150, 1, 0, 0, 0, 0, 0, 32, 0, 24])
    }

    @Test func fenceRequestsAreAnsweredAtOnce() {
        var client = connectedClient()
        var response = ByteBuffer()
        response.writeClientMessage(.fence(flags: [.blockBefore], payload: [1, 2]))
        #expect(client.receive(fenceBytes([.request, .blockBefore, FenceFlags(rawValue: 1 << 9)], [1, 2])) == [.send(response)],
                "unknown flags are cleared in the answer")
        #expect(client.receive(fenceBytes([.blockAfter], [3])) == [.fence(flags: [.blockAfter], payload: [3])])
    }

    @Test func syncNextFenceIsAnsweredAfterTheNextMessage() {
        var client = connectedClient()
        var response = ByteBuffer()
        response.writeClientMessage(.fence(flags: [.syncNext], payload: [9]))
        var bytes = fenceBytes([.request, .syncNext], [9])
        bytes.writeFramebufferUpdateHeader(count: 1)
        bytes.writeTestRawRectangle(Rect(x: 0, y: 0, width: 2, height: 2), pixels: TestImages.random(width: 32, height: 24), format: .xrgb8888)
        bytes.writeBell()
        #expect(client.receive(bytes) == [.framebufferUpdated(Region(Rect(x: 0, y: 0, width: 2, height: 2))), .send(response), .bell])
    }

    @Test func fencePayloadOver64BytesIsAnError() {
        var client = connectedClient()
        #expect(client.receive(ByteBuffer(bytes: [248, 0, 0, 0, 0x80, 0, 0, 0, 65])) == [.error(.fencePayloadTooLong(65))])
    }

    // MARK: Extended clipboard

    @Test func extendedServerCutTextIsReadOnceListed() {
        var client = connectedClient()
        var bytes = ByteBuffer()
        bytes.writeExtendedServerCutText(.portholeCaps(maximumTextSize: 100))
        bytes.writeExtendedServerCutText(.providing(text: "ça\nva"))
        bytes.writeServerCutText([0xe9])
        let actions = client.receive(bytes)
        #expect(actions == [.clipboard(.portholeCaps(maximumTextSize: 100)), .clipboard(.providing(text: "ça\nva")), .cutText([0xe9])])
        #expect(client.confirmedExtensions.contains(.extendedClipboard))
        guard case .clipboard(let provide) = actions[1] else { return }
        #expect(provide.text == "ça\nva")
    }

    @Test func extendedServerCutTextBeyondTheLimitIsRefusedFromItsHeader() {
        var client = connectedClient(limits: ClientLimits(maximumCutTextLength: 10))
        #expect(client.receive(ByteBuffer(bytes: [3, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0]))
                == [.error(.lengthTooLarge(field: "extended ServerCutText", length: 16, limit: 10))])
    }

    @Test func clipboardBombIsRefused() {
        var client = connectedClient(limits: ClientLimits(maximumCutTextLength: 8192))
        var bytes = ByteBuffer()
        bytes.writeExtendedServerCutText(.provide([.text: [UInt8](repeating: 0x20, count: 1 << 20)]))
        #expect(client.receive(bytes) == [.error(.malformedClipboard(.inflatedTooLarge(limit: 8192)))])
    }

    // MARK: Any split

    @Test(arguments: [UInt64(1), 2, 3])
    func everyExtensionMessageSurvivesAnySplit(seed: UInt64) {
        var bytes = ByteBuffer()
        bytes.writeEndOfContinuousUpdates()
        bytes.writeFence(flags: [.request, .syncNext], payload: Array(0..<64))
        bytes.writeExtendedServerCutText(.providing(text: "clip"))
        bytes.writeFramebufferUpdateHeader(count: 6)
        bytes.writeExtendedDesktopSize(ExtendedDesktopSize(reason: .server, layout: DesktopLayout(singleScreen: Size(width: 20, height: 10))))
        bytes.writeCursor(CursorShape(hotspot: .zero, size: Size(width: 3, height: 2), pixels: [1, 2, 3, 4, 5, 6], mask: [0xe0, 0xe0]),
                          translator: PixelTranslator(format: .xrgb8888))
        bytes.writeXCursor(XCursorShape(hotspot: .zero, size: Size(width: 1, height: 1), foreground: 1, background: 2, bitmap: [0x80], mask: [0x80]))
        bytes.writeCursorPosition(Point(x: 3, y: 4))
        bytes.writeQEMUExtendedKeyEventConfirmation()
        bytes.writeExtendedMouseButtonsConfirmation()
        bytes.writeFence(flags: [.blockBefore], payload: [])
        var whole = connectedClient()
        let expected = whole.receive(bytes).filter { $0 != .needsMoreData }
        #expect(expected.count == 12)
        if case .send = expected[2] {} else { Issue.record("the SyncNext fence is answered right after the clipboard message") }
        #expect(!expected.contains { if case .error = $0 { return true } else { return false } })
        var split = connectedClient()
        var random = SplitMix(seed: seed)
        var rest = Array(bytes.readableBytesView)[...]
        var actions: [ClientAction] = []
        while !rest.isEmpty {
            let count = Int(random.next() % 9) + 1
            actions += split.receive(ByteBuffer(bytes: rest.prefix(count)))
            rest = rest.dropFirst(count)
        }
        #expect(actions.filter { $0 != .needsMoreData } == expected)
    }
}
