import Foundation
import Geometry
import PortholeTestSupport
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

    /// While the source polls itself (the X11 mirror's watcher) the frame clock stands by, one poll
    /// a second; once the source stops, the clock polls at the frame rate (60 here) again.
    @Test func theFrameClockStandsByWhileTheSourcePollsItself() async throws {
        let source = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120))
        source.pollsItself = true
        try await TestServer.with(source: source) { server in
            await pause(0.3)
            let before = source.advanceCount
            // Counted against the time that really passed: on a loaded machine the pause lasts
            // longer, and the standby clock polls once for each second of it (60 Hz would be 72).
            let started = ContinuousClock.now
            await pause(1.2)
            let standing = source.advanceCount - before
            let elapsed = started.duration(to: .now) / .seconds(1)
            #expect(Double(standing) <= elapsed + 1, "\(standing) polls in \(elapsed) s while the source polls itself")
            source.pollsItself = false
            // The standby poll in flight comes within a second; from then on the clock polls at 60 Hz.
            await pause(1.1)
            let again = source.advanceCount
            await pause(0.5)
            #expect(source.advanceCount - again >= 10, "\(source.advanceCount - again) polls in 0.5 s after the source stopped polling itself")
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

    /// A source that allows it (a display device's output, `advancesWhereSignalled`) is advanced
    /// on the thread that signals, before the signal returns: no hand-off to the output's event
    /// loop. Other sources are advanced on the event loop, never on the signalling thread.
    @Test(arguments: [true, false])
    func theAdvanceRunsOnTheSignallingThreadOnlyWhenTheSourceAllowsIt(allowed: Bool) async throws {
        let source = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120), advancesOnSignallingThread: allowed)
        try await TestServer.with(configuration: Self.hourlyPoll(), source: source) { server in
            let viewer = try await server.connectViewerWithPicture()
            source.fill(Rect(x: 30, y: 20, width: 40, height: 30), with: 0x00c0_4080)
            let earlier = source.advanceThreads.count
            // No suspension point from here to the last read: one thread runs all of it.
            let signallingThread = UInt(pthread_self())
            #expect(source.signalFrameReady(), "the server installed no handler")
            let advancedBeforeReturn = source.advanceThreads.dropFirst(earlier)
            #expect(await viewer.waitForFramebuffer(source.latest), "the signalled frame never reached the viewer")
            let advances = source.advanceThreads.dropFirst(earlier)
            if allowed {
                #expect(Array(advancedBeforeReturn) == [signallingThread],
                        "the source was not advanced once, on the signalling thread, before the signal returned")
            } else {
                #expect(!advances.isEmpty && !advances.contains(signallingThread),
                        "a source that does not allow it was advanced on the signalling thread")
            }
        }
    }
}
