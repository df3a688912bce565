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
/// viewer from the others.
@Suite(.timeLimit(.minutes(2)))
struct ThreadedViewerTests {
    /// Runs `body` against a server whose viewers are served on a thread of the test's own.
    private func withThreadedServer(configure: (inout ServerConfiguration) -> Void = { _ in },
                                    source: ScriptedFrameSource = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120)),
                                    _ body: (TestServer, EventThread) async throws -> Void) async throws {
        let thread = try EventThread(name: "test-viewers")
        defer { thread.shutdown() }
        var configuration = TestServer.configuration()
        configuration.viewerThread = thread
        configure(&configuration)
        try await TestServer.with(configuration: configuration, source: source) { server in
            try #require(server.server.servesViewersOnViewerThread, "the RFB port is not listened on by the viewer thread")
            try await body(server, thread)
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

    @Test func aViewerBreakingTheProtocolLosesOnlyItsOwnConnection() async throws {
        try await withThreadedServer { server, _ in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await TestViewer.connect(to: server.address)
            await offender.send(ByteBuffer(bytes: [0x7f]))
            #expect(await offender.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: unknown client message type 127"))
            try await server.expectStillServing(bystander)
        }
    }

    /// Updates the socket does not take wait for it to become writable; a viewer that never reads
    /// is disconnected after `stalledViewerTimeout`, and the others keep getting updates.
    @Test func aViewerThatNeverReadsIsDisconnected() async throws {
        let pictures = (0..<3).map { TestImages.random(width: 1280, height: 720, seed: UInt64($0 + 1)) }
        let source = ScriptedFrameSource(pictures[0]) { picture, tick in
            picture = pictures[tick % pictures.count]
            return .full(picture.bounds)
        }
        try await withThreadedServer(configure: { $0.stalledViewerTimeout = 1; $0.sourceFrameRate = 15 }, source: source) { server, _ in
            var options = TestViewer.Options()
            options.encodings = [.raw]
            options.requestedRect = Rect(x: 0, y: 0, width: 64, height: 64)
            let reader = try await TestViewer.connect(to: server.address, options: options)
            try #require(await reader.waitForUpdates(1, timeout: TestPatience.seconds))

            let sleeper = try await RawTestClient.connect(to: server.address, receiveBufferSize: 16 << 10)
            try await sleeper.handshakeWithoutSecurity()
            await sleeper.stopReading()
            var message = ByteBuffer()
            message.writeClientMessage(.framebufferUpdateRequest(incremental: false, rect: pictures[0].bounds))
            let request = message
            let disconnected = await eventually(timeout: TestPatience.seconds) {
                await sleeper.send(request)
                return !server.log.lines(containing: "disconnected: the viewer stopped reading").isEmpty
            }
            #expect(disconnected, "the stalled viewer was not disconnected")
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })
            let before = reader.updateCount
            #expect(await reader.waitForUpdates(before + 2, timeout: TestPatience.seconds), "the reading viewer stopped getting updates")
            await sleeper.close()
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
