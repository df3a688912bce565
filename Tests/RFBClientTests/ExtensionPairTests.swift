import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBClient

/// Server session and client driven together through the extensions, bytes in random splits.
struct ExtensionPairTests {
    /// A connected pair whose client listed every extension, with the server's confirmations
    /// written the way the edge does.
    private func negotiatedPair(seed: UInt64) -> ConnectionPair {
        var pair = ConnectionPair(serverPassword: nil, clientPassword: nil, clientVersion: .v3_8, seed: seed)
        pair.run()
        let encodings = pair.client.setEncodings(pair.client.defaultEncodings + ClientStateMachine.extensionEncodings)
        pair.clientSends(encodings)
        var confirmations = ByteBuffer()
        var inUpdate = ByteBuffer()
        var rectangles: UInt16 = 0
        for action in pair.sessionActions {
            switch action {
            case .confirmContinuousUpdates: confirmations.writeEndOfContinuousUpdates()
            case .confirmFence: confirmations.writeFence(flags: [.request], payload: [])
            case .confirmExtendedClipboard: confirmations.writeExtendedServerCutText(.portholeCaps(maximumTextSize: 1 << 20))
            case .confirmQEMUExtendedKeyEvent: inUpdate.writeQEMUExtendedKeyEventConfirmation(); rectangles += 1
            case .confirmExtendedMouseButtons: inUpdate.writeExtendedMouseButtonsConfirmation(); rectangles += 1
            default: break
            }
        }
        confirmations.writeFramebufferUpdateHeader(count: rectangles + 1)
        confirmations.writeBuffer(&inUpdate)
        confirmations.writeExtendedDesktopSize(ExtendedDesktopSize(reason: .server, layout: pair.session!.layout))
        pair.sessionActions = []
        pair.serverSends(confirmations)
        return pair
    }

    @Test(arguments: [UInt64(5), 6, 7])
    func everyExtensionIsConfirmedToTheClient(seed: UInt64) {
        let pair = negotiatedPair(seed: seed)
        #expect(pair.client.confirmedExtensions == [.continuousUpdates, .fence, .extendedClipboard, .qemuExtendedKeyEvent,
                                                    .extendedMouseButtons, .extendedDesktopSize])
        #expect(pair.sessionActions == [.fence(flags: [], payload: [])], "the client answered the confirmation fence")
        #expect(pair.clientError == nil && pair.serverClosed == nil)
    }

    @Test(arguments: [UInt64(8), 9])
    func extensionMessagesFromTheClientReachTheSession(seed: UInt64) {
        var pair = negotiatedPair(seed: seed)
        pair.sessionActions = []
        let layout = DesktopLayout(size: Size(width: 128, height: 48), screens: [
            Screen(id: 0, rect: Rect(x: 0, y: 0, width: 64, height: 48)), Screen(id: 1, rect: Rect(x: 64, y: 0, width: 64, height: 48)),
        ])
        var messages = pair.client.setDesktopSize(layout)
        var more = [
            pair.client.enableContinuousUpdates(true),
            pair.client.fence(flags: [.request, .syncNext], payload: [42]),
            pair.client.qemuKeyEvent(down: true, keysym: 0x61, keycode: 0x1e),
            pair.client.pointerEvent(buttons: 0x100, x: 10, y: 20),
            pair.client.clipboard(.providing(text: "from\nclient")),
            pair.client.enableContinuousUpdates(false),
            pair.client.setDesktopSize(DesktopLayout(size: Size(width: 64, height: 48), screens: [])),
        ]
        for index in more.indices { messages.writeBuffer(&more[index]) }
        pair.clientSends(messages)
        let rejection = ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: DesktopLayout(singleScreen: Size(width: 64, height: 48)))
        #expect(pair.sessionActions == [
            .setDesktopSize(layout),
            .enableContinuousUpdates(Rect(x: 0, y: 0, width: 64, height: 48)),
            .qemuKey(down: true, keysym: 0x61, keycode: 0x1e),
            .fence(flags: [.request, .syncNext], payload: [42]),
            .pointer(buttonMask: 0x100, x: 10, y: 20),
            .clipboardProvide(text: "from\nclient"),
            .disableContinuousUpdates,
            .desktopSizeRejected(reply: rejection, why: "SetDesktopSize 64x48 []: no screens"),
        ])
        #expect(pair.serverClosed == nil)
    }

    @Test func theSessionsRepliesReachTheClient() {
        var pair = negotiatedPair(seed: 10)
        pair.clientActions = []
        var replies = ByteBuffer()
        replies.writeFence(flags: [.request, .blockBefore], payload: [1, 2, 3])
        replies.writeExtendedDesktopSizeUpdate(ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout,
                                                                   layout: DesktopLayout(singleScreen: Size(width: 64, height: 48))))
        replies.writeEndOfContinuousUpdates()
        pair.serverSends(replies)
        #expect(pair.sessionActions.last == .fence(flags: [.blockBefore], payload: [1, 2, 3]))
        let reply = ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: DesktopLayout(singleScreen: Size(width: 64, height: 48)))
        #expect(pair.clientActions.filter { $0 != .needsMoreData }.dropFirst() == [.desktopLayout(reply), .framebufferUpdated(Region()), .endOfContinuousUpdates])
    }
}
