import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// TigerVNC's vncviewer (a window of the desktop's size at 0,0 of an Xvfb) with Tight (lossless and with JPEG) and ZRLE, the
/// server at `--log-level debug` so its log names the encoding it chose for the viewer: a picture
/// that merely looks right after a silent fallback to Raw or Hextile does not pass.
@Suite struct TigerVNCModernEncodingTests {
    /// `-NoJPEG=1`: Tight must be lossless, so the desktop fixture arrives pixel for pixel.
    @Test func tightLosslessIsExact() async throws {
        let run = try await ViewerRun(label: "tight-lossless", image: Fixtures.desktop(), encoding: "Tight",
                                      viewerArguments: ["-NoJPEG=1"])
        let comparison = try await TigerVNCViewer.waitUntilShowing(run.served.image, in: .xrgb8888, on: run.screen, viewer: run.viewer)
        #expect(comparison.isIdentical, "vncviewer Tight lossless: \(comparison)\n\(run.logs)")
        try run.expectEncodingLogged("Tight")
        #expect(!run.requestedEncodings.contains { $0.hasPrefix("QualityLevel") },
                "with -NoJPEG=1 the viewer should not ask for a JPEG quality: \(run.requestedEncodings)")
    }

    /// `-NoJPEG=0 -QualityLevel=6`: the viewer allows JPEG, so the still photographic fixture
    /// goes JPEG first (the server logs its first JPEG rectangle for the viewer) and is then
    /// refreshed losslessly once it has settled (docs/architecture.md "Lossy, then exact once
    /// settled"): the viewer's screen ends pixel for pixel. (JPEG while an area is animated is
    /// checked in-process by `LossyRefreshTests` and with this viewer by `TigerVNCLossyRefreshTests`.)
    @Test func tightWithQualityLevelSendsAStillPhotographAsJPEGThenExactly() async throws {
        let run = try await ViewerRun(label: "tight-jpeg", image: Fixtures.photographic(), encoding: "Tight",
                                      viewerArguments: ["-NoJPEG=0", "-QualityLevel=6"])
        let comparison = try await TigerVNCViewer.waitUntilShowing(run.served.image, in: .xrgb8888, on: run.screen, viewer: run.viewer)
        #expect(comparison.isIdentical, "vncviewer Tight with QualityLevel 6 after the refresh: \(comparison)\n\(run.logs)")
        try run.expectEncodingLogged("Tight")
        #expect(run.requestedEncodings.contains("QualityLevel6"),
                "the viewer should ask for JPEG quality 6: \(run.requestedEncodings)")
        #expect(run.server.log.contains("got its first JPEG rectangle (quality 6)"),
                "the photograph should have gone JPEG first: \(run.logs)")
    }

    @Test func zrleIsExact() async throws {
        let run = try await ViewerRun(label: "zrle", image: Fixtures.desktop(), encoding: "ZRLE", viewerArguments: [])
        let comparison = try await TigerVNCViewer.waitUntilShowing(run.served.image, in: .xrgb8888, on: run.screen, viewer: run.viewer)
        #expect(comparison.isIdentical, "vncviewer ZRLE: \(comparison)\n\(run.logs)")
        try run.expectEncodingLogged("ZRLE")
    }
}

extension TigerVNCModernEncodingTests {
    /// One server (`--image`, debug log), one Xvfb a little larger than the picture, one viewer window at 0,0.
    struct ViewerRun {
        let scratch: ScratchDirectory
        let served: PixelBufferFile
        let server: PortholeServer
        let screen: VirtualX
        let viewer: TigerVNCViewer.Running

        init(label: String, image: PixelBuffer, encoding: String, viewerArguments: [String]) async throws {
            scratch = try ScratchDirectory("vncviewer-modern-\(label)")
            served = try await PixelBufferFile.png(image, scratch: scratch)
            server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
            screen = try await TigerVNCViewer.screen(width: image.width, height: image.height, scratch: scratch)
            viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: encoding, desktop: (image.width, image.height),
                                              extraArguments: viewerArguments)
        }

        var logs: String { "viewer log:\n\(viewer.output)\nserver log:\n\(server.log)" }

        /// The server's debug line for the viewer's last SetEncodings: `encodings A,B,...; using E`.
        private var encodingsLine: (requested: [String], using: String)? {
            server.log.split(separator: "\n").last { $0.contains(" encodings ") && $0.contains("; using ") }.flatMap { line in
                line.firstMatch(of: /\sencodings ([^ ;]*); using (\w+)/).map {
                    ($0.1.split(separator: ",").map(String.init), String($0.2))
                }
            }
        }

        var requestedEncodings: [String] { encodingsLine?.requested ?? [] }

        func expectEncodingLogged(_ encoding: String) throws {
            let line = try #require(encodingsLine, "no `encodings ...; using ...` line in the server's debug log:\n\(server.log)")
            #expect(line.using == encoding, "the server used \(line.using) for the viewer, expected \(encoding)\n\(logs)")
        }
    }
}
