import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// TigerVNC's vncviewer (C++, written by others) shows `porthole serve --image` in a window of the
/// picture's size at 0,0 of an Xvfb screen; the top-left of `xwd -root` must then show the served
/// picture, reduced to the pixel format the viewer asked for, pixel for pixel.
@Suite struct TigerVNCViewerTests {
    @Test(arguments: ["Raw", "Hextile", "ZRLE"])
    func fullColourViewerShowsServedImage(encoding: String) async throws {
        try await checkViewer(encoding: encoding, screenDepth: 24, colour: .full, format: .xrgb8888)
    }

    /// On a depth-16 screen TigerVNC still asks for rgb888 and reduces to RGB565 itself, with its
    /// own rounding: the server's pixels are exact on the wire, but the screen may be one step of
    /// 5 or 6 bits off per component. That tolerance is the viewer's, not a licence for the server.
    @Test func rgb565ScreenViewerShowsServedImage() async throws {
        try await checkViewer(encoding: "ZRLE", screenDepth: 16, colour: .full, format: .rgb565, toleranceSteps: 1)
    }

    /// LowColorLevel=2 makes the viewer ask for 8 bpp rgb332 (RFB max 7/7/3, shifts 5/2/0); with
    /// ZRLE each CPIXEL is then one byte. The server's debug log shows the format and encoding.
    @Test(arguments: ["Hextile", "ZRLE"])
    func eightBitViewerShowsServedImage(encoding: String) async throws {
        try await checkViewer(encoding: encoding, screenDepth: 24, colour: .medium, format: TigerVNCViewer.Colour.mediumPixelFormat,
                              serverLogs: ["set pixel format 8bpp depth 8 LE true-colour max 7/7/3 shift 5/2/0", "using \(encoding)"])
    }

    private func checkViewer(encoding: String, screenDepth: Int, colour: TigerVNCViewer.Colour, format: PixelFormat,
                             toleranceSteps: Int = 0, serverLogs: [String] = []) async throws {
        let scratch = try ScratchDirectory("vncviewer-\(encoding)-\(screenDepth)")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: serverLogs.isEmpty ? [] : ["--log-level", "debug"],
                                              scratch: scratch)
        defer { server.stop() }
        let screen = try await TigerVNCViewer.screen(width: Fixtures.width, height: Fixtures.height, depth: screenDepth, scratch: scratch)

        let viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: encoding, colour: colour,
                                              desktop: (Fixtures.width, Fixtures.height))
        let comparison = try await TigerVNCViewer.waitUntilShowing(TestImages.quantized(served.image, to: format), in: format,
                                                                   toleranceSteps: toleranceSteps, on: screen, viewer: viewer)

        #expect(comparison.isIdentical, "vncviewer \(encoding) depth \(screenDepth): \(comparison)\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
        for line in serverLogs { #expect(server.log.contains(line), "\(line)\nserver log:\n\(server.log)") }
    }
}
