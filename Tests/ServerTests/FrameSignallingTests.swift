import Geometry
import Server
import Testing

/// A source that signals a new frame (`FrameSignalling`) has it published at once, not at the
/// output's next poll (docs/architecture.md "Source capabilities"). The poll here runs once an
/// hour, so within these tests' bounds only the signal can explain a delivery.
struct FrameSignallingTests {
    private static func hourlyPoll() -> ServerConfiguration {
        var configuration = TestServer.configuration()
        configuration.sourceFrameRate = 1.0 / 3600
        return configuration
    }

    @Test func aSignalledFrameReachesTheViewerWithoutWaitingForThePoll() async throws {
        try await TestServer.with(configuration: Self.hourlyPoll()) { server in
            let viewer = try await server.connectViewerWithPicture()
            let before = server.source.latest
            server.source.fill(Rect(x: 30, y: 20, width: 40, height: 30), with: 0x00c0_4080)
            // Unsignalled, the change waits for the hourly poll: the viewer keeps the old picture.
            await pause(0.5)
            #expect(await viewer.waitForFramebuffer(before, timeout: 1), "the viewer lost the picture it had")
            #expect(server.source.signalFrameReady(), "the server installed no handler")
            #expect(await viewer.waitForFramebuffer(server.source.latest), "the signalled frame never reached the viewer")
        }
    }

    @Test func everySignalledChangeOfABurstReachesTheViewer() async throws {
        try await TestServer.with(configuration: Self.hourlyPoll()) { server in
            let viewer = try await server.connectViewerWithPicture()
            for step in 0..<20 {
                server.source.fill(Rect(x: step * 6, y: 50, width: 6, height: 6), with: UInt32(0x10_2030 + step))
                server.source.signalFrameReady()
            }
            #expect(await viewer.waitForFramebuffer(server.source.latest), "the last change of the burst never arrived")
        }
    }
}
