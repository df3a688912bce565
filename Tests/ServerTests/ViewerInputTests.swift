import Testing

/// What viewers send towards the source: key and pointer events reach an input-taking source
/// unless the server is view-only, and clipboard text goes to the other viewers.
struct ViewerInputTests {
    @Test func inputReachesTheSource() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture()
            await viewer.keyEvent(down: true, keysym: 0x61)
            await viewer.keyEvent(down: false, keysym: 0x61)
            await viewer.pointerEvent(buttonMask: 1, x: 20, y: 30)
            // Positions past the edge are clamped into the framebuffer (ServerSessionStateMachine).
            await viewer.pointerEvent(buttonMask: 0, x: 5000, y: 7)
            let keys = [ScriptedFrameSource.KeyEvent(down: true, keysym: 0x61), .init(down: false, keysym: 0x61)]
            let pointers = [ScriptedFrameSource.PointerEvent(buttonMask: 1, x: 20, y: 30), .init(buttonMask: 0, x: 159, y: 7)]
            #expect(await eventually(timeout: TestPatience.seconds) { server.source.keys == keys && server.source.pointers == pointers })
            #expect(server.source.keys == keys)
            #expect(server.source.pointers == pointers)
        }
    }

    @Test func viewOnlyDropsInput() async throws {
        var configuration = TestServer.configuration()
        configuration.viewOnly = true
        try await TestServer.with(configuration: configuration) { server in
            let viewer = try await server.connectViewerWithPicture()
            await viewer.keyEvent(down: true, keysym: 0x61)
            await viewer.pointerEvent(buttonMask: 1, x: 20, y: 30)
            // Messages are handled in order, so once a later full-update request is answered the
            // events have been dealt with; the pause covers the hop to the output's event loop.
            let before = viewer.updateCount
            await viewer.requestUpdate(incremental: false, rect: .init(x: 0, y: 0, width: 5, height: 5))
            #expect(await viewer.waitForUpdates(before + 1))
            await pause(0.3)
            #expect(server.source.keys.isEmpty)
            #expect(server.source.pointers.isEmpty)
            #expect(!viewer.isClosed)
        }
    }

    @Test func clipboardGoesToTheOtherViewers() async throws {
        try await TestServer.with { server in
            let sender = try await server.connectViewerWithPicture()
            let receiver = try await server.connectViewerWithPicture()
            let text = Array("café au lait".unicodeScalars.map { UInt8($0.value) })
            await sender.cutText(text)
            #expect(await eventually(timeout: TestPatience.seconds) { receiver.cutTexts == [text] })
            await pause(0.3)
            #expect(sender.cutTexts.isEmpty, "the sender got its own clipboard back")
            #expect(receiver.cutTexts == [text])
        }
    }
}
