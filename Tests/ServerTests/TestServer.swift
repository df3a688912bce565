import Capture
import Foundation
import Geometry
import Logging
import Pixels
import PortholeTestSupport
@testable import Server
import SystemIO
import Testing

/// A Porthole server started in-process for one test, on 127.0.0.1 port 0, with a scripted
/// source and a log kept in memory.
struct TestServer {
    let server: PortholeServer
    let source: ScriptedFrameSource
    let log: LogRecorder

    var address: HostAndPort { server.boundAddress }

    /// The configuration tests start from: an ephemeral port and a quick frame clock.
    static func configuration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.sourceFrameRate = 60
        configuration.logLevel = .trace
        // Wall-clock windows long enough that a loaded machine cannot stretch a test past them;
        // the tests of the timeouts themselves set short ones.
        configuration.handshakeTimeout = 600
        configuration.authenticationThrottle.initialBlock = .minutes(10)
        return configuration
    }

    /// Runs `body` against a fresh server and stops the server afterwards, whatever `body` does.
    /// With `viewersOnOwnThread` its viewers are served on an `EventThread` of the test's
    /// (`ServerConfiguration.viewerThread`, as `porthole serve --device` serves a device output's
    /// viewers on the device's thread) instead of in NIO.
    static func with<R>(configuration: ServerConfiguration = configuration(),
                        source: ScriptedFrameSource = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120)),
                        viewersOnOwnThread: Bool = false,
                        _ body: (TestServer) async throws -> R) async throws -> R {
        var configuration = configuration
        let thread = viewersOnOwnThread ? try EventThread(name: "test-viewers") : nil
        defer { thread?.shutdown() }
        configuration.viewerThread = thread
        let log = LogRecorder()
        return try await serving(source, configuration: configuration, log: log) { server in
            try #require((server.viewerThread != nil) == viewersOnOwnThread, "the RFB port is not served where it was asked to be")
            return try await body(TestServer(server: server, source: source, log: log))
        }
    }

    /// Runs `body` against a fresh server showing any `source` (not only a scripted one), logging
    /// into `log`, and stops the server afterwards, whatever `body` does.
    static func serving<R>(_ source: FrameSource, configuration: ServerConfiguration = configuration(), log: LogRecorder = LogRecorder(),
                           _ body: (PortholeServer) async throws -> R) async throws -> R {
        let server = try await PortholeServer.start(configuration: configuration, source: source, logger: log.makeLogger())
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Connects a well-behaved viewer and waits until it shows the whole current picture.
    func connectViewerWithPicture(_ options: TestViewer.Options = TestViewer.Options(),
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> TestViewer {
        let viewer = try await TestViewer.connect(to: address, options: options)
        let expected = options.pixelFormat.map { TestImages.quantized(source.latest, to: $0) } ?? source.latest
        try #require(await viewer.waitForFramebuffer(expected), "the viewer never showed the whole picture",
                     sourceLocation: sourceLocation)
        return viewer
    }

    /// Checks that the server still does its job after something went wrong: `viewer` (connected
    /// before) receives a change made now, and a viewer connecting now gets the whole picture.
    func expectStillServing(_ viewer: TestViewer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let colour = UInt32.random(in: 0...0xffffff)
        source.fill(Rect(x: 10, y: 10, width: 20, height: 15), with: colour)
        let expected = source.latest
        #expect(await viewer.waitForFramebuffer(expected), "the other viewer did not receive the change", sourceLocation: sourceLocation)
        let newcomer = try await TestViewer.connect(to: address)
        #expect(await newcomer.waitForFramebuffer(expected), "a new viewer did not receive the picture", sourceLocation: sourceLocation)
        await newcomer.close()
    }
}
