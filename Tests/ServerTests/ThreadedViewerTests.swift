import Foundation
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
@testable import Server
import SystemIO
import Testing

/// Viewers served on an `EventThread` (`ServerConfiguration.viewerThread`, as `porthole serve
/// --device` serves its outputs' plain TCP viewers on the device's thread): the same RFB as in
/// NIO, browsers handed over to NIO's WebSocket pipeline, and the same isolation of a bad or slow
/// viewer from the others (with `StalledViewerTests` and `HostileMessageTests`, which run on both).
@Suite(.timeLimit(.minutes(2)))
struct ThreadedViewerTests {
    /// Runs `body` against a server whose viewers are served on a thread of the test's own.
    private func withThreadedServer(configure: (inout ServerConfiguration) -> Void = { _ in },
                                    source: ScriptedFrameSource = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120)),
                                    _ body: (TestServer, EventThread) async throws -> Void) async throws {
        var configuration = TestServer.configuration()
        configure(&configuration)
        try await TestServer.with(configuration: configuration, source: source, viewersOnOwnThread: true) { server in
            try await body(server, try #require(server.server.viewerThread))
        }
    }

    @Test func aViewerGetsThePictureAndItsChanges() async throws {
        try await withThreadedServer { server, _ in
            let viewer = try await server.connectViewerWithPicture()
            #expect(server.server.viewerCount == 1)
            try await server.expectStillServing(viewer)
            await viewer.close()
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 0 }, "the closed viewer was not noticed")
            #expect(await server.log.waitForLine(containing: "disconnected: the viewer closed the connection"))
        }
    }

    /// The device's case: a frame published on the viewers' own thread reaches them from there
    /// (`SocketViewerTransport.deliver` runs at once); one published elsewhere is handed over.
    @Test(arguments: [true, false])
    func aFrameSignalledOnTheViewersThreadOrElsewhereArrives(onViewersThread: Bool) async throws {
        let source = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120), advancesOnSignallingThread: true)
        try await withThreadedServer(configure: { $0.sourceFrameRate = 1.0 / 3600 }, source: source) { server, thread in
            let viewer = try await server.connectViewerWithPicture()
            for round in 0..<5 {
                source.fill(Rect(x: 10 + round * 20, y: 20, width: 16, height: 30), with: UInt32(0x102030 * (round + 1)))
                let signalled = onViewersThread ? thread.sync { source.signalFrameReady() } : source.signalFrameReady()
                #expect(signalled, "the server installed no handler")
                #expect(await viewer.waitForFramebuffer(source.latest), "signalled frame \(round) never reached the viewer")
            }
        }
    }

    /// A browser's connection is told apart on the thread and handed to NIO with the bytes read
    /// so far; it then gets the picture over WebSocket like on any port.
    @Test func aBrowserIsHandedToTheWebSocketPipeline() async throws {
        // Longer than the default: a test client's first bytes can come late on a loaded machine.
        try await withThreadedServer(configure: { $0.transportSniffTimeout = 3 }) { server, _ in
            let browser = try await WebSocketTestViewer.open(port: server.address.port)
            defer { browser.connection.close() }
            #expect(TestWebSocket.header(named: "Sec-WebSocket-Accept", in: browser.responseHead) == TestWebSocket.sampleAccept)
            #expect(try await browser.picture(encoding: .zrle) == server.source.latest)
            let native = try await server.connectViewerWithPicture()
            #expect(server.server.viewerCount == 2)
            await native.close()
        }
    }

    @Test func stoppingTheServerClosesItsViewersAndThePort() async throws {
        let thread = try EventThread(name: "test-viewers")
        defer { thread.shutdown() }
        var configuration = TestServer.configuration()
        configuration.viewerThread = thread
        let log = LogRecorder()
        let server = try await PortholeServer.start(configuration: configuration, source: ScriptedFrameSource(TestImages.desktop(width: 64, height: 48)),
                                                    logger: log.makeLogger())
        let viewer = try await TestViewer.connect(to: server.boundAddress)
        try #require(await viewer.waitForUpdates(1, timeout: TestPatience.seconds))
        await server.stop()
        #expect(await viewer.waitUntilClosed(), "the viewer was not disconnected")
        #expect(await log.waitForLine(containing: "disconnected: the server is shutting down"))
        await #expect(throws: (any Error).self, "the port still accepts connections") {
            _ = try await TestViewer.connect(to: server.boundAddress)
        }
    }
}
