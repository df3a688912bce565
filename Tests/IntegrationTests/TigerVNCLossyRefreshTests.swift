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
        let scratch = try ScratchDirectory("vncviewer-lossy-refresh")
        let socket = scratch.file("device.sock").path
        let size = "\(Self.width)x\(Self.height)"
        // The waiting card has the output's size, so the viewer connects before the producer and
        // no desktop resize happens when the output appears.
        // The grace period keeps the producer's last frame up well past the 60 s wait below.
        let server = try await PortholeServer(["--device", "--socket", socket, "--size", size, "--grace-period", "300",
                                               "--log-level", "debug"], scratch: scratch)
        defer { server.stop() }
        let card = try await PortholeSnapshot.captureImage(port: server.port, encoding: "raw", scratch: scratch)

        let screen = try await TigerVNCViewer.screen(width: Self.width, height: Self.height, scratch: scratch)
        let viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: "Tight", desktop: (Self.width, Self.height),
                                              extraArguments: ["-NoJPEG=0", "-QualityLevel=6"])
        defer { viewer.stop() }
        let cardShown = try await TigerVNCViewer.waitUntilShowing(card, in: .xrgb8888, on: screen, viewer: viewer, timeout: 60)
        try #require(cardShown.isIdentical, "vncviewer never showed the waiting card: \(cardShown)\n\(Self.logs(viewer, server))")

        let producer = try ChildProcess(try PortholeServer.binary(),
                                        ["produce", "--socket", socket, "--size", size, "--refresh", "30",
                                         "--frames", "\(Self.frames)", "--name", "Lossy-1"],
                                        logFile: scratch.uniqueFile("porthole-produce", extension: "log"))
        defer { producer.stop() }
        let produced = await producer.wait(timeout: 60)
        try #require(produced.succeeded, "porthole produce: \(produced.summary)\n\(Self.logs(viewer, server))")
        #expect(producer.output.contains("\(Self.frames) frames"), "porthole produce log:\n\(producer.output)")

        // (a) JPEG went to this viewer while the pattern moved.
        let jpegLine = await server.waitForLogLine(timeout: 10) { $0.contains("got its first JPEG rectangle") }
        let line = try #require(jpegLine, "the server logged no JPEG rectangle for the viewer\n\(Self.logs(viewer, server))")
        #expect(line.contains("(quality 6)"), "\(line)")
        let peer = try #require(line.firstMatch(of: /viewer (\S+) got its first JPEG/)?.1, "\(line)")

        // (c) The still picture, as the server's own lossless client reads it, reaches the viewer
        // exactly: the JPEG tiles were refreshed losslessly once they settled.
        let still = try await PortholeSnapshot.captureImage(port: server.port, encoding: "raw", scratch: scratch)
        #expect(still != card, "the snapshot still shows the waiting card, not the producer's output")
        // No `viewer:` here: it drew the card, so it did not hit its XInput race (and its window
        // is at 0,0 already), and a restarted viewer would get the whole picture anew,
        // losslessly, hiding a missing refresh.
        let comparison = try await TigerVNCViewer.waitUntilShowing(still, in: .xrgb8888, on: screen, timeout: 60)
        #expect(comparison.isIdentical, "after the animation: \(comparison)\n\(Self.logs(viewer, server))")

        // (b) The viewer decoded everything and stayed connected throughout.
        #expect(viewer.process.isRunning, "vncviewer exited\n\(Self.logs(viewer, server))")
        #expect(!server.log.contains("viewer \(peer) disconnected"), "the server dropped the viewer\n\(Self.logs(viewer, server))")
        let viewerLog = viewer.output.lowercased()
        #expect(!viewerLog.contains("error") && !viewerLog.contains("end of stream") && !viewerLog.contains("closed"),
                "the viewer logged a failure\n\(Self.logs(viewer, server))")
    }

    static func logs(_ viewer: TigerVNCViewer.Running, _ server: PortholeServer) -> String {
        "viewer log:\n\(viewer.output)\nserver log:\n\(server.log)"
    }
}
