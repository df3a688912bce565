import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Server
import Testing

/// `--max-fps` in a running server: a source that changes at every one of its 200 ticks a second
/// reaches a viewer capped at 10 updates a second as no more than that, and the viewer's picture
/// still ends up exact. A behaviour check with generous margins, not a speed measurement: the
/// window is at least 1.5 s, longer on a loaded machine until two updates have come.
struct UpdateRateTests {
    @Test func aFastSourceReachesACappedViewerAtMostNTimesASecond() async throws {
        var configuration = TestServer.configuration()
        configuration.sourceFrameRate = 200
        configuration.maxUpdatesPerSecond = 10
        let source = ScriptedFrameSource(TestImages.desktop(width: 160, height: 120)) { picture, tick in
            let rect = Rect(x: tick % 150, y: (tick / 150) % 110, width: 10, height: 10)
            picture.fill(rect, with: UInt32(truncatingIfNeeded: tick &* 0x0001_0307) & 0x00ff_ffff)
            return FrameDamage(region: Region(rect))
        }
        try await TestServer.with(configuration: configuration, source: source) { server in
            let viewer = try await TestViewer.connect(to: server.address)
            try #require(await eventually(timeout: TestPatience.seconds) { viewer.updateCount >= 2 }, "updates do not flow")
            let firstCount = viewer.updateCount, firstTime = Date()
            let firstSequence = server.server.output.frame.sequence
            await pause(1.5)
            // The unit suite runs hundreds of tests at once on two cores, where 1.5 s once held a
            // single update: the window is then stretched until two have come (the bound below
            // holds for a window of any length).
            let patience = Date().addingTimeInterval(TestPatience.seconds)
            while viewer.updateCount - firstCount < 2, Date() < patience { await pause(0.05) }
            let count = viewer.updateCount - firstCount
            let elapsed = Date().timeIntervalSince(firstTime)
            let frames = server.server.output.frame.sequence - firstSequence
            // Updates leave at most one per 100 ms on average, two back to back after a pause
            // (BurstRateLimit): at most one per 100 ms of the window plus the burst of two, plus
            // one that left before the window but arrived in it.
            #expect(count <= Int(elapsed * 10) + 3, "\(count) updates in \(elapsed) s with --max-fps 10")
            #expect(count >= 2, "the capped viewer stopped receiving updates (\(count) in \(elapsed) s)")
            #expect(frames > UInt64(count), "the source was not faster than the cap (\(frames) frames, \(count) updates)")
        }
    }
}
