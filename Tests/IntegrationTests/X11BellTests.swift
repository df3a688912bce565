import Foundation
import Testing

/// The X display's bell reaches viewers of `porthole serve --x11` as RFB Bell, as x11vnc passes it
/// on: an X client rings it (`xkbbell`, XKB's Bell request; an xterm's `\a` is the core protocol's,
/// which XKB reports the same way) and vncdotool, as a library, counts the Bell messages.
@Suite(.serialized) struct X11BellTests {
    /// Two bells rung while a viewer watches arrive as two Bell messages; one rung before any viewer
    /// connected (it rang for nobody) is not delivered late.
    @Test func bellsRungOnTheXDisplayReachTheViewer() async throws {
        let scratch = try ScratchDirectory("x11-bell")
        let mirror = try await X11Mirror.start(width: 320, height: 240, scratch: scratch)
        defer { mirror.server.stop() }
        #expect(await mirror.server.waitForLogLine { $0.contains("mirroring X display") } != nil, "\(mirror.server.log)")
        try await mirror.x("xkbbell", [])

        guard let driver = Bundle.module.url(forResource: "vncdotool_bell", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/vncdotool_bell.py is missing from the test bundle's resources")
        }
        let viewer = try ChildProcess(try requirePeer("python3"),
                                      [driver.path, "--port", "\(mirror.server.port)", "--seconds", "20", scratch.file("bell-screen.png").path],
                                      logFile: scratch.uniqueFile("vncdotool-bell", extension: "log"))
        defer { viewer.stop() }
        #expect(await viewer.waitForOutput(timeout: 30) { $0.contains("connected") ? true : nil } == true, "viewer: \(viewer.output)")
        // Long enough for a bell rung before the viewer came to have been delivered, were it kept.
        try await Task.sleep(for: .seconds(1))
        #expect(!viewer.output.contains("bell 1"), "a bell rung before any viewer connected arrived: \(viewer.output)")

        try await mirror.x("xkbbell", [])
        #expect(await viewer.waitForOutput(timeout: 10) { $0.contains("bell 1") ? true : nil } == true,
                "the bell did not reach the viewer: \(viewer.output)\nserver log:\n\(mirror.server.log)")
        try await mirror.x("xkbbell", [])
        #expect(await viewer.waitForOutput(timeout: 10) { $0.contains("bell 2") ? true : nil } == true,
                "the second bell did not reach the viewer: \(viewer.output)")
        try await Task.sleep(for: .seconds(1))
        #expect(!viewer.output.contains("bell 3"), "more bells arrived than were rung: \(viewer.output)")
    }
}
