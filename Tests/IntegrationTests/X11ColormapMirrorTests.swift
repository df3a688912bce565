import Foundation
import Pixels
import Testing

/// `porthole serve --x11` on an 8-bit PseudoColor screen (Xvfb's default visual at depth 8), where
/// pixel values index a colormap that X clients change at will.
@Suite(.serialized) struct X11ColormapMirrorTests {
    /// The viewer sees the X server's own picture through its colormap, exactly; and when an X
    /// client stores a new colour in a cell (StoreColors: every pixel of that value changes colour,
    /// but nothing is drawn, so no DAMAGE event comes), the change reaches a TigerVNC viewer that
    /// stays connected, as it reaches the screen. With DAMAGE, and with --x11-poll.
    @Test(arguments: [false, true])
    func pseudoColorScreenIsMirroredThroughItsColormap(polling: Bool) async throws {
        let scratch = try ScratchDirectory("x11-pseudocolor\(polling ? "-poll" : "")")
        let (width, height) = (320, 240)
        let mirror = try await X11Mirror.start(width: width, height: height, depth: 8,
                                               arguments: polling ? ["--x11-poll"] : [], scratch: scratch)
        defer { mirror.server.stop() }
        #expect(await mirror.server.waitForLogLine { $0.contains("mirroring X display") && $0.contains("8-bit colormap") } != nil,
                "no mirroring line naming the colormap:\n\(mirror.server.log)")

        let cellProgram = try await CPeerProgram.build("x11_colormap_cell", against: "xcb", in: scratch)
        let cell = try mirror.display.launch(cellProgram, ["336699", "cc3300"])
        #expect(await cell.waitForOutput(timeout: 30) { $0.contains("shows 336699") ? true : nil } == true, "colormap cell: \(cell.output)")
        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "30x6+10+10", "-bg", "#ffffcc", "-fg", "#aa0000",
                                                             "-e", "sh", "-c", "echo colormap; sleep 600"])
        let (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "viewer picture differs from xwd -root: \(comparison)\nserver log:\n\(mirror.server.log)")
        // The viewer's picture equals the screen's, and the screen shows the cell's first colour.
        #expect(try await mirror.display.grabScreen()[width - 1, height - 1] == 0x33_6699, "the root's background is not the cell's colour")

        let viewerScreen = try await TigerVNCViewer.screen(width: width, height: height, scratch: scratch)
        let viewer = try TigerVNCViewer.start(on: viewerScreen, port: mirror.server.port, encoding: "ZRLE", desktop: (width, height))
        defer { viewer.stop() }
        let before = try await TigerVNCViewer.waitUntilShowing(try await mirror.display.grabScreen(), in: .xrgb8888,
                                                              on: viewerScreen, viewer: viewer)
        #expect(before.isIdentical, "the viewer does not show the screen: \(before)\nviewer:\n\(viewer.output)")

        kill(cell.processIdentifier, SIGUSR1)
        #expect(await cell.waitForOutput(timeout: 30) { $0.contains("shows cc3300") ? true : nil } == true, "colormap cell: \(cell.output)")
        let recoloured = try await mirror.display.grabScreen()
        #expect(recoloured[width - 1, height - 1] == 0xcc_3300, "the X server's own picture did not change colour")
        let after = try await TigerVNCViewer.waitUntilShowing(recoloured, in: .xrgb8888, on: viewerScreen, viewer: viewer, timeout: 20)
        #expect(after.isIdentical, "the stored colour did not reach the connected viewer: \(after)\nserver log:\n\(mirror.server.log)")
    }
}
