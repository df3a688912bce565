import RFB
import Testing

/// Input from the rfbproto extensions reaches an input-taking source: QEMU Extended Key Events as
/// key events, ExtendedMouseButtons' buttons 8 and up in the source's 16-bit button mask.
struct ExtendedInputTests {
    @Test func qemuKeyEventsReachTheSource() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture(.listing([.qemuExtendedKeyEvent]))
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.confirmedExtensions.contains(.qemuExtendedKeyEvent) },
                    "the server did not confirm QEMU Extended Key Event")
            // "a" (XT scancode 0x1e) and Left Shift (0x2a).
            await viewer.qemuKeyEvent(down: true, keysym: 0xffe1, keycode: 0x2a)
            await viewer.qemuKeyEvent(down: true, keysym: 0x41, keycode: 0x1e)
            await viewer.qemuKeyEvent(down: false, keysym: 0x41, keycode: 0x1e)
            await viewer.qemuKeyEvent(down: false, keysym: 0xffe1, keycode: 0x2a)
            let expected: [ScriptedFrameSource.KeyEvent] = [
                .init(down: true, keysym: 0xffe1), .init(down: true, keysym: 0x41),
                .init(down: false, keysym: 0x41), .init(down: false, keysym: 0xffe1),
            ]
            #expect(await eventually(timeout: TestPatience.seconds) { server.source.keys == expected }, "got \(server.source.keys)")
            #expect(!viewer.isClosed)
        }
    }

    @Test func extendedMouseButtonsReachTheSource() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture(.listing([.extendedMouseButtons]))
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.confirmedExtensions.contains(.extendedMouseButtons) },
                    "the server did not confirm ExtendedMouseButtons")
            // Button 8 (bit 7), button 9 (bit 8) with button 1, both, then ordinary buttons again.
            let masks: [UInt16] = [0x080, 0x101, 0x180, 0x004, 0]
            for (index, mask) in masks.enumerated() {
                await viewer.pointerEvent(buttons: mask, x: 10 + index, y: 20)
            }
            let expected = masks.enumerated().map { ScriptedFrameSource.PointerEvent(buttonMask: $1, x: 10 + $0, y: 20) }
            #expect(await eventually(timeout: TestPatience.seconds) { server.source.pointers == expected },
                    "got \(server.source.pointers)")
            #expect(!viewer.isClosed)
        }
    }
}
