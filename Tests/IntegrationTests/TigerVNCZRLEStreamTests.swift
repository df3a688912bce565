import Foundation
import Pixels
import Testing

/// ZRLE rectangles of small updates end with a partial flush (`DeflateStream.Flush.partial`): the
/// last bits of each rectangle's zlib data arrive at the start of the next one. TigerVNC's
/// vncviewer (whose ZRLE decoder is RealVNC's) must decode a long run of such rectangles: it watches
/// `porthole produce` move its square and bar at 320x240 (updates too small to be split into lanes,
/// which end on sync flushes) for four seconds, and must then show the still picture exactly and
/// still be connected.
@Suite struct TigerVNCZRLEStreamTests {
    @Test func manySmallZRLEUpdatesDecodeExactly() async throws {
        let run = try await AnimatedDeviceRun(label: "vncviewer-zrle-stream", width: 320, height: 240,
                                              encoding: "ZRLE", viewerArguments: [])
        defer { run.stop() }
        try await run.animate(frames: 120, name: "ZRLE-1")

        let still = try await run.stillPicture()
        let comparison = try await TigerVNCViewer.waitUntilShowing(still, in: .xrgb8888, on: run.screen, timeout: 60)
        #expect(comparison.isIdentical, "after the animation: \(comparison)\n\(run.logs)")

        // The server used ZRLE for this viewer, not a fallback. (The snapshots ask for Raw.)
        let encodings = run.server.log.split(separator: "\n").last { $0.contains(" encodings ") && $0.contains(",ZRLE,") }
        let line = try #require(encodings, "no `encodings ...ZRLE...; using ...` line in the server's debug log\n\(run.logs)")
        #expect(line.hasSuffix("; using ZRLE"), "\(line)")
        let peer = line.firstMatch(of: /viewer (\S+) encodings/)?.1
        run.expectViewerStayedConnected(peer: peer)
    }
}
