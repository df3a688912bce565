import Capture
import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Server
import Testing

/// A source with a name of its own (`NameProviding`, what a device output a producer named is):
/// the name is the desktop's from ServerInit on, and a new name reaches the viewers that take
/// DesktopName (rfbproto "DesktopName Pseudo-encoding"), unless the server was given a name.
struct SourceNameTests {
    /// A still picture whose name the test changes.
    final class NamedSource: FrameSource, NameProviding, @unchecked Sendable {
        let frame = TestImages.desktop(width: 96, height: 64)
        private let lock = NSLock()
        private var name: String?
        init(name: String?) { self.name = name }
        var desktopName: String? { lock.withLock { name } }
        func rename(_ newName: String) { lock.withLock { name = newName } }
        func advance(to time: Double) -> FrameDamage { FrameDamage() }
    }

    private func start(_ source: NamedSource, followingSource: Bool) async throws -> (PortholeServer, LogRecorder) {
        var configuration = TestServer.configuration()
        configuration.desktopName = "Given"
        configuration.desktopNameFromSource = followingSource
        let log = LogRecorder()
        return (try await PortholeServer.start(configuration: configuration, source: source, logger: log.makeLogger()), log)
    }

    private func nameTaker(_ server: PortholeServer) async throws -> TestViewer {
        var options = TestViewer.Options()
        options.encodings = [.raw, .desktopName]
        return try await TestViewer.connect(to: server.boundAddress, options: options)
    }

    @Test func theSourcesNameIsTheDesktopsAndItsChangesReachViewers() async throws {
        let source = NamedSource(name: "Left-Monitor")
        let (server, _) = try await start(source, followingSource: true)
        let viewer = try await nameTaker(server)
        #expect(viewer.serverName == "Left-Monitor")
        source.rename("Right-Monitor")
        #expect(await eventually(timeout: TestPatience.seconds) { viewer.names == ["Right-Monitor"] }, "got \(viewer.names)")
        await viewer.close()
        await server.stop()
    }

    @Test func aGivenNameStaysWhateverTheSourceIsCalled() async throws {
        let source = NamedSource(name: "Left-Monitor")
        let (server, _) = try await start(source, followingSource: false)
        let viewer = try await nameTaker(server)
        #expect(viewer.serverName == "Given")
        source.rename("Right-Monitor")
        await pause(0.5)
        #expect(viewer.names.isEmpty, "got \(viewer.names)")
        await viewer.close()
        await server.stop()
    }
}
