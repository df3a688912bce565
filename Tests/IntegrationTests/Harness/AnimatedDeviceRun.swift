import Foundation
import Pixels
import Testing

/// TigerVNC's vncviewer watching a moving picture: `porthole serve --device` shows its waiting
/// card to the viewer (a window at 0,0 of an Xvfb of the output's size), then `porthole produce`
/// animates its pattern on the device and exits; its last frame stays up for the grace period
/// (docs/protocol.md §12), so the tests can compare the viewer's screen with it at leisure.
struct AnimatedDeviceRun {
    let scratch: ScratchDirectory
    let server: PortholeServer
    let screen: VirtualX
    let viewer: TigerVNCViewer.Running
    /// The waiting card, as `porthole snapshot --encoding raw` read it before the animation.
    let card: PixelBuffer
    private let socket: String
    private let size: String

    /// The server logs at debug level; the viewer asks for `encoding` with `viewerArguments`.
    init(label: String, width: Int, height: Int, encoding: String, viewerArguments: [String]) async throws {
        scratch = try ScratchDirectory(label)
        socket = scratch.file("device.sock").path
        size = "\(width)x\(height)"
        // The waiting card has the output's size, so the viewer connects before the producer and
        // no desktop resize happens when the output appears. The grace period keeps the
        // producer's last frame up well past the tests' waits.
        server = try await PortholeServer(["--device", "--socket", socket, "--size", size, "--grace-period", "300",
                                           "--log-level", "debug"], scratch: scratch)
        card = try await PortholeSnapshot.captureImage(port: server.port, encoding: "raw", scratch: scratch)
        screen = try await TigerVNCViewer.screen(width: width, height: height, scratch: scratch)
        viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: encoding, desktop: (width, height),
                                          extraArguments: viewerArguments)
        let cardShown = try await TigerVNCViewer.waitUntilShowing(card, in: .xrgb8888, on: screen, viewer: viewer, timeout: 60)
        try #require(cardShown.isIdentical, "vncviewer never showed the waiting card: \(cardShown)\n\(logs)")
    }

    func stop() {
        viewer.stop()
        server.stop()
    }

    var logs: String { "viewer log:\n\(viewer.output)\nserver log:\n\(server.log)" }

    /// Runs `porthole produce` for `frames` frames at 30 Hz and waits for it to finish.
    func animate(frames: Int, name: String) async throws {
        let producer = try ChildProcess(try PortholeServer.binary(),
                                        ["produce", "--socket", socket, "--size", size, "--refresh", "30",
                                         "--frames", "\(frames)", "--name", name],
                                        logFile: scratch.uniqueFile("porthole-produce", extension: "log"))
        defer { producer.stop() }
        let produced = await producer.wait(timeout: 60)
        try #require(produced.succeeded, "porthole produce: \(produced.summary)\n\(logs)")
        #expect(producer.output.contains("\(frames) frames"), "porthole produce log:\n\(producer.output)")
    }

    /// The still picture after `animate`, as the server's own lossless client reads it.
    func stillPicture() async throws -> PixelBuffer {
        let still = try await PortholeSnapshot.captureImage(port: server.port, encoding: "raw", scratch: scratch)
        #expect(still != card, "the snapshot still shows the waiting card, not the producer's output")
        return still
    }

    /// The viewer decoded everything and stayed connected throughout: it still runs, logged no
    /// failure, and the server never logged the viewer `peer` ("host:port") disconnecting.
    func expectViewerStayedConnected(peer: Substring?) {
        #expect(viewer.process.isRunning, "vncviewer exited\n\(logs)")
        if let peer {
            #expect(!server.log.contains("viewer \(peer) disconnected"), "the server dropped the viewer\n\(logs)")
        }
        let viewerLog = viewer.output.lowercased()
        #expect(!viewerLog.contains("error") && !viewerLog.contains("end of stream") && !viewerLog.contains("closed"),
                "the viewer logged a failure\n\(logs)")
    }
}
