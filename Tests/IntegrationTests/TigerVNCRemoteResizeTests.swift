import Foundation
import Geometry
import Pixels
import Testing

/// Viewers resize the server's output: TigerVNC's vncviewer with `-RemoteResize=1` asks the server
/// (SetDesktopSize) to make the remote desktop the size of its window, once when it connects and
/// again whenever the window changes size. The demo desktop accepts such requests; `porthole
/// snapshot`, a second viewer, must then see the new size.
@Suite struct TigerVNCRemoteResizeTests {
    @Test func viewerWindowSizeBecomesDesktopSize() async throws {
        let scratch = try ScratchDirectory("vncviewer-remote-resize")
        let server = try await PortholeServer(["--size", "1024x768", "--log-level", "debug"], scratch: scratch)
        defer { server.stop() }
        // The screen is smaller than the 1024x768 desktop, and the viewer's window smaller still.
        let screen = try await VirtualX.xvfb(width: 800, height: 600, scratch: scratch)
        let viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: "ZRLE", desktop: nil,
                                              extraArguments: ["-RemoteResize=1", "-geometry", "700x500+0+0", "-Log=*:stderr:100"])
        let logs = { "viewer log:\n\(viewer.output)\nserver log:\n\(server.log)" }

        // On connect: the viewer asks for its window's size.
        let first = await server.waitForLogLine(timeout: 45) { $0.contains("resized the output to 700x500") }
        #expect(first != nil, "the server never logged `resized the output to 700x500`\n\(logs())")
        let connected = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
        #expect(connected.size == Size(width: 700, height: 500),
                "porthole snapshot saw \(connected.width)x\(connected.height), expected 700x500\n\(logs())")

        // The window shrinks: the viewer asks again (after its half-second debounce).
        let window = try await XDoTool.window(of: viewer.process, on: screen, scratch: scratch)
        try await XDoTool.resize(window, width: 640, height: 480, on: screen, scratch: scratch)
        let second = await server.waitForLogLine(timeout: 45) { $0.contains("resized the output to 640x480") }
        #expect(second != nil, "the server never logged `resized the output to 640x480`\n\(logs())")
        let shrunk = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
        #expect(shrunk.size == Size(width: 640, height: 480),
                "porthole snapshot saw \(shrunk.width)x\(shrunk.height), expected 640x480\n\(logs())")
    }
}
