import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// VNC servers nobody here wrote, showing a known picture (drawn by xwud, checked with xwd):
/// TigerVNC's Xvnc and x11vnc on Xvfb. `porthole snapshot` must read them exactly in every
/// encoding. vncdotool reads Xvnc too, which checks the capture path itself: when it passes here
/// and fails against Porthole, the fault is Porthole's.
@Suite struct ForeignServerTests {
    @Test(arguments: ["raw", "rre", "hextile", "zrle"])
    func portholeSnapshotOfXvnc(encoding: String) async throws {
        let scratch = try ScratchDirectory("snapshot-xvnc-\(encoding)")
        let picture = Fixtures.desktop()
        let port = try FreeTCPPort.pick()
        let xvnc = try await VirtualX.xvnc(width: Fixtures.width, height: Fixtures.height, rfbPort: port, scratch: scratch)
        try await xvnc.show(picture)

        let captured = try await PortholeSnapshot.captureImage(port: port, encoding: encoding, scratch: scratch)

        let comparison = ImageComparison(expected: picture, actual: captured)
        #expect(comparison.isIdentical, "Xvnc, \(encoding): \(comparison)")
    }

    @Test func portholeSnapshotOfXvncWithPassword() async throws {
        let scratch = try ScratchDirectory("snapshot-xvnc-password")
        let picture = Fixtures.desktop()
        let port = try FreeTCPPort.pick()
        let xvnc = try await VirtualX.xvnc(width: Fixtures.width, height: Fixtures.height, rfbPort: port,
                                           obfuscatedPasswordFile: try await VNCPasswordFiles.obfuscated("xvncpass", scratch: scratch),
                                           scratch: scratch)
        try await xvnc.show(picture)

        let captured = try await PortholeSnapshot.captureImage(port: port, encoding: "hextile",
                                                               passwordFile: try VNCPasswordFiles.plain("xvncpass", scratch: scratch), scratch: scratch)

        #expect(ImageComparison(expected: picture, actual: captured).isIdentical)
    }

    @Test(arguments: ["raw", "hextile", "zrle"])
    func portholeSnapshotOfX11vnc(encoding: String) async throws {
        let scratch = try ScratchDirectory("snapshot-x11vnc-\(encoding)")
        let picture = Fixtures.desktop()
        let screen = try await VirtualX.xvfb(width: Fixtures.width, height: Fixtures.height, scratch: scratch)
        try await screen.show(picture)
        let port = try FreeTCPPort.pick()
        let x11vnc = try screen.launch(try requirePeer("x11vnc"), ["-display", screen.display, "-rfbport", "\(port)", "-localhost",
                                                                  "-nopw", "-forever", "-shared", "-noxdamage", "-nocursor"])
        let ready = await x11vnc.waitForOutput(timeout: 60) { $0.contains("PORT=\(port)") ? true : nil }
        try #require(ready == true, "x11vnc did not start on port \(port):\n\(x11vnc.output)")

        let captured = try await PortholeSnapshot.captureImage(port: port, encoding: encoding, scratch: scratch)

        let comparison = ImageComparison(expected: picture, actual: captured)
        #expect(comparison.isIdentical, "x11vnc, \(encoding): \(comparison)")
    }

    /// The harness's own check: vncdotool reads a server nobody here wrote exactly, in each format
    /// (at 16 bpp within one step per component: Xvnc rounds to 5/6 bits its own way).
    @Test(arguments: VNCDoTool.Format.allCases)
    func vncdotoolReadsXvncExactly(format: VNCDoTool.Format) async throws {
        let scratch = try ScratchDirectory("vncdotool-xvnc-\(format.rawValue)")
        let picture = Fixtures.desktop()
        let port = try FreeTCPPort.pick()
        let xvnc = try await VirtualX.xvnc(width: Fixtures.width, height: Fixtures.height, rfbPort: port, scratch: scratch)
        try await xvnc.show(picture)

        let captured = try await VNCDoTool.captureImage(port: port, encoding: .hextile, format: format, scratch: scratch)

        let comparison = ImageComparison(expected: TestImages.quantized(picture, to: format.pixelFormat), actual: captured, in: format.pixelFormat,
                                         toleranceSteps: format == .bgr16 ? 1 : 0)
        #expect(comparison.isIdentical, "\(format.rawValue): \(comparison)")
        _ = xvnc
    }

    /// The harness's own check: TigerVNC's viewer shows Xvnc's picture on Xvfb, exactly at 24 bits
    /// and within one step per component at 16 and 8 bits (Xvnc rounds to fewer bits its own way).
    /// The three cases run one after another: started together (three Xvnc, three Xvfb and three
    /// viewers at once, beside the rest of the suite) all three viewers once connected to their
    /// Xvnc and showed no window within 45 s, in one CI run out of several.
    @Test(.serialized, arguments: [(24, "full"), (16, "full"), (24, "medium")])
    func tigerVNCViewerShowsXvnc(screenDepth: Int, colourName: String) async throws {
        let colour: TigerVNCViewer.Colour = colourName == "medium" ? .medium : .full
        let format: PixelFormat = colourName == "medium" ? TigerVNCViewer.Colour.mediumPixelFormat : screenDepth == 16 ? .rgb565 : .xrgb8888
        let scratch = try ScratchDirectory("vncviewer-xvnc-\(screenDepth)-\(colourName)")
        let picture = Fixtures.desktop()
        let port = try FreeTCPPort.pick()
        let xvnc = try await VirtualX.xvnc(width: Fixtures.width, height: Fixtures.height, rfbPort: port, scratch: scratch)
        try await xvnc.show(picture)
        let screen = try await TigerVNCViewer.screen(width: Fixtures.width, height: Fixtures.height, depth: screenDepth, scratch: scratch)

        let viewer = try TigerVNCViewer.start(on: screen, port: port, encoding: "ZRLE", colour: colour,
                                              desktop: (Fixtures.width, Fixtures.height))
        let tolerance = format == .xrgb8888 ? 0 : 1
        let comparison = try await TigerVNCViewer.waitUntilShowing(picture, in: format, toleranceSteps: tolerance,
                                                                   on: screen, viewer: viewer)

        #expect(comparison.isIdentical, "\(comparison)\nviewer log:\n\(viewer.output)")
        _ = xvnc
    }
}
