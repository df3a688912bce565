import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// TightVNC's viewer (C, written by others) in 8 bpp BGR233 shows `porthole serve --image` full
/// screen; `xwd -root` must show the served picture reduced to BGR233, pixel for pixel.
@Suite struct TightVNCViewerTests {
    @Test(arguments: ["hextile", "raw", "rre", "tight"])
    func bgr233ViewerShowsServedImage(encoding: String) async throws {
        let scratch = try ScratchDirectory("xtightvncviewer-\(encoding)")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
        defer { server.stop() }
        let screen = try await VirtualX.xvfb(width: Fixtures.width, height: Fixtures.height, depth: 24, scratch: scratch)

        let viewer = try TightVNCViewer.startInBGR233(on: screen, port: server.port, encoding: encoding)
        let comparison = try await TigerVNCViewer.waitUntilShowing(TestImages.quantized(served.image, to: .bgr233), in: .bgr233, on: screen)

        #expect(comparison.isIdentical, "xtightvncviewer \(encoding) bgr233: \(comparison)\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
        #expect(server.log.contains("set pixel format 8bpp depth 8 LE true-colour max 7/7/3 shift 0/3/6"),
                "the viewer should have asked for BGR233: \(server.log)")
        #expect(server.log.contains("using \(encoding == "rre" ? "RRE" : encoding.capitalized)"), "\(server.log)")
    }

    /// On an 8-bit PseudoColor screen with `-owncmap` the viewer asks for a colour map, which
    /// Porthole fills once (`ColourMapStandIn`) before sending BGR233 values. The viewer's window,
    /// read through the viewer's own colormap, must show the served picture reduced to BGR233: the
    /// pixel values and the map both arrived. (Porthole refused such viewers before.)
    @Test(arguments: ["hextile", "tight"])
    func colourMapViewerShowsServedImage(encoding: String) async throws {
        let scratch = try ScratchDirectory("xtightvncviewer-colourmap-\(encoding)")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
        defer { server.stop() }
        let screen = try await VirtualX.xvfb(width: Fixtures.width, height: Fixtures.height, depth: 8, scratch: scratch)

        let viewer = try TightVNCViewer.startWithOwnColourMap(on: screen, port: server.port, encoding: encoding)
        let expected = TestImages.quantized(served.image, to: .bgr233)
        var comparison: ImageComparison?
        let deadline = Date().addingTimeInterval(45)
        while Date() < deadline {
            if let window = try await screen.grabTopWindow(), window.size == expected.size {
                comparison = ImageComparison(expected: expected, actual: window, in: .bgr233)
                if comparison!.isIdentical { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let result = try #require(comparison, "no viewer window appeared\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
        #expect(result.isIdentical, "xtightvncviewer \(encoding) colour map: \(result)\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
        #expect(server.log.contains("set pixel format 8bpp depth 8 LE true-colour max 7/7/3 shift 0/3/6"), "\(server.log)")
        #expect(server.log.contains("takes a colour map"), "the viewer did not ask for a colour map: \(server.log)")
    }
}
