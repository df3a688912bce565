import Foundation
import Pixels
import Testing

/// A real outside viewer decodes Porthole's Tight JPEG and then gets the lossless refresh
/// (docs/architecture.md "Lossy while hot, lossless once settled"): `porthole produce` animates
/// its pattern on `porthole serve --device` for a few seconds while TigerVNC's vncviewer, with
/// `-NoJPEG=0 -QualityLevel=6`, watches it (a window at 0,0). The server logs (debug) the first JPEG
/// rectangle it sends a viewer; once the producer exits (its last frame stays up for the grace
/// period, docs/protocol.md §12), the viewer's screen must become exactly what
/// `porthole snapshot --encoding raw` reads from the server.
@Suite struct TigerVNCLossyRefreshTests {
    static let width = 320, height = 240
    /// 120 frames at 30 Hz: about four seconds of animation on an idle machine.
    static let frames = 120

    @Test func jpegWhileAnimatedThenExactOnceStill() async throws {
        let run = try await AnimatedDeviceRun(label: "vncviewer-lossy-refresh", width: Self.width, height: Self.height,
                                              encoding: "Tight", viewerArguments: ["-NoJPEG=0", "-QualityLevel=6"])
        defer { run.stop() }
        try await run.animate(frames: Self.frames, name: "Lossy-1")

        // (a) JPEG went to this viewer while the pattern moved.
        let jpegLine = await run.server.waitForLogLine(timeout: 10) { $0.contains("got its first JPEG rectangle") }
        let line = try #require(jpegLine, "the server logged no JPEG rectangle for the viewer\n\(run.logs)")
        #expect(line.contains("(quality 6)"), "\(line)")
        let peer = try #require(line.firstMatch(of: /viewer (\S+) got its first JPEG/)?.1, "\(line)")

        // (c) The still picture reaches the viewer exactly: the JPEG tiles were refreshed
        // losslessly once they settled. No `viewer:` here: it drew the card, so it did not hit
        // its XInput race (and its window is at 0,0 already), and a restarted viewer would get
        // the whole picture anew, losslessly, hiding a missing refresh.
        let still = try await run.stillPicture()
        let comparison = try await TigerVNCViewer.waitUntilShowing(still, in: .xrgb8888, on: run.screen, timeout: 60)
        #expect(comparison.isIdentical, "after the animation: \(comparison)\n\(run.logs)")

        // (b) The viewer decoded everything and stayed connected throughout.
        run.expectViewerStayedConnected(peer: peer)
    }
}
