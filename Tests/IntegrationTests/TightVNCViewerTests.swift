import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// TightVNC's viewer (C, written by others) in 8 bpp BGR233 shows `porthole serve --image` full
/// screen; `xwd -root` must show the served picture reduced to BGR233, pixel for pixel.
@Suite struct TightVNCViewerTests {
    /// `porthole serve --image` of the test desktop (logging each viewer's pixel format) and an
    /// Xvfb of its size at `depth` for the viewer; the caller stops the server.
    private func servedDesktopAndScreen(_ name: String, depth: Int) async throws -> (PixelBufferFile, PortholeServer, VirtualX) {
        let scratch = try ScratchDirectory(name)
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
        let screen = try await VirtualX.xvfb(width: Fixtures.width, height: Fixtures.height, depth: depth, scratch: scratch)
        return (served, server, screen)
    }

    @Test(arguments: ["hextile", "raw", "rre", "tight"])
    func bgr233ViewerShowsServedImage(encoding: String) async throws {
        let (served, server, screen) = try await servedDesktopAndScreen("xtightvncviewer-\(encoding)", depth: 24)
        defer { server.stop() }

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
        let (served, server, screen) = try await servedDesktopAndScreen("xtightvncviewer-colourmap-\(encoding)", depth: 8)
        defer { server.stop() }

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
