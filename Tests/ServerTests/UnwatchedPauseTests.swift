import Capture
import Display
import Foundation
import Geometry
import Pixels
@testable import Server
import Testing

/// An output whose source may pause while unwatched (`PausesWhileUnwatched`, the demo desktop) is
/// not advanced while it has no viewer (its clock rests), is advanced again once one comes, and
/// jumps the pause in one exact step; the bell that rang meanwhile rang for nobody. A source that
/// observes whether it is watched (`WatchStateObserving`, the X11 mirror) is told when that changes.
struct UnwatchedPauseTests {
    /// Animates on the clock: a square whose colour follows the quarter second, with exact damage
    /// however far apart two advances are.
    final class AnimatedSource: FrameSource, PausesWhileUnwatched, BellRinging, @unchecked Sendable {
        private let lock = NSLock()
        private var picture = PixelBuffer(width: 64, height: 48)
        private var step = -1
        private var advances = 0
        private var bellPending = false
        private let square = Rect(x: 8, y: 8, width: 16, height: 16)

        var frame: PixelBuffer { lock.withLock { picture } }
        var advanceCount: Int { lock.withLock { advances } }

        func advance(to time: Double) -> FrameDamage {
            lock.withLock {
                advances += 1
                let now = Int(time * 4)
                guard now != step else { return FrameDamage() }
                step = now
                picture.fill(square, with: UInt32(truncatingIfNeeded: now &* 0x01_0305 & 0xff_ffff))
                return FrameDamage(region: Region(square))
            }
        }

        func ringBell() { lock.withLock { bellPending = true } }
        func takeBell() -> Bool { lock.withLock { defer { bellPending = false }; return bellPending } }
    }

    @Test func theSourceRestsUntilAViewerComesAndAgainAfterItLeaves() async throws {
        let source = AnimatedSource()
        var configuration = TestServer.configuration()
        configuration.sourceFrameRate = 60
        try await TestServer.serving(source, configuration: configuration) { server in
            await pause(0.5)
            #expect(source.advanceCount == 0, "advanced \(source.advanceCount) times with nobody watching")
            source.ringBell()

            let viewer = try await TestViewer.connect(to: server.boundAddress)
            #expect(await eventually(timeout: TestPatience.seconds) { source.advanceCount >= 10 }, "not advanced once watched")
            // The square changes every quarter second; the viewer follows it.
            let seen = source.frame
            #expect(await eventually(timeout: TestPatience.seconds) { source.frame != seen }, "the picture did not move")
            #expect(await viewer.waitForFramebufferToFollow(source), "the viewer did not follow the animation")
            #expect(viewer.bells == 0, "a bell that rang while nobody watched reached the viewer")
            source.ringBell()
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.bells == 1 }, "a bell rung while watched was not heard")

            await viewer.close()
            #expect(await eventually(timeout: TestPatience.seconds) { server.output.subscriberCount == 0 })
            await pause(0.1)
            let resting = source.advanceCount
            await pause(0.5)
            #expect(source.advanceCount == resting, "advanced \(source.advanceCount - resting) times after the viewer left")

            // The clock rested too; the next viewer starts it again.
            let returning = try await TestViewer.connect(to: server.boundAddress)
            #expect(await eventually(timeout: TestPatience.seconds) { source.advanceCount >= resting + 10 }, "the clock did not start again")
            #expect(await returning.waitForFramebufferToFollow(source))
            await returning.close()
        }
    }

    /// With the clock polling once an hour, only the pause's end can advance the source: the first
    /// viewer, coming a while after the start, is sent the picture of now, not that of the start.
    @Test func aViewerArrivingAfterAPauseStartsFromThePictureOfNow() async throws {
        let source = AnimatedSource()
        let blank = source.frame
        var configuration = TestServer.configuration()
        configuration.sourceFrameRate = 1.0 / 3600
        try await TestServer.serving(source, configuration: configuration) { server in
            await pause(0.6)
            let viewer = try await TestViewer.connect(to: server.boundAddress)
            #expect(source.advanceCount == 1)
            #expect(source.frame != blank, "the source was not advanced to now")
            #expect(await viewer.waitForFramebuffer(source.frame), "the viewer was not sent the picture of now")
            let second = try await TestViewer.connect(to: server.boundAddress)
            #expect(await second.waitForFramebuffer(source.frame))
            #expect(source.advanceCount == 1, "a second viewer ended no pause, so nothing was advanced for it")
            await viewer.close()
            await second.close()
        }
    }

    /// Records what the output tells it (`WatchStateObserving`) and draws a new colour whenever it
    /// is advanced while watched, as the X11 mirror reads only then.
    final class ObservingSource: FrameSource, WatchStateObserving, @unchecked Sendable {
        private let lock = NSLock()
        private var picture = PixelBuffer(width: 48, height: 32)
        private var told: [Bool] = []
        private var watched = true
        private var reads = 0

        var frame: PixelBuffer { lock.withLock { picture } }
        var calls: [Bool] { lock.withLock { told } }
        var readCount: Int { lock.withLock { reads } }

        func setWatched(_ watched: Bool) { lock.withLock { told.append(watched); self.watched = watched } }

        func advance(to time: Double) -> FrameDamage {
            lock.withLock {
                guard watched else { return FrameDamage() }
                reads += 1
                picture.fill(picture.bounds, with: UInt32(truncatingIfNeeded: reads &* 0x0a_1b2c & 0xff_ffff))
                return .full(picture.bounds)
            }
        }
    }

    /// The output tells the source it is unwatched when it starts with no viewer, watched as the
    /// first viewer subscribes (advancing it at once, so the viewer starts from a fresh read), and
    /// unwatched again when the last one leaves; a second viewer changes nothing.
    @Test func aWatchObservingSourceIsToldWhenTheFirstViewerComesAndTheLastLeaves() async throws {
        let source = ObservingSource()
        var configuration = TestServer.configuration()
        configuration.sourceFrameRate = 1.0 / 3600
        try await TestServer.serving(source, configuration: configuration) { server in
            #expect(source.calls == [false])
            let first = try await TestViewer.connect(to: server.boundAddress)
            #expect(source.calls == [false, true])
            #expect(source.readCount == 1, "not advanced as the first viewer came")
            #expect(await first.waitForFramebuffer(source.frame), "the first viewer did not get the fresh read")
            let second = try await TestViewer.connect(to: server.boundAddress)
            #expect(await second.waitForFramebuffer(source.frame))
            #expect(source.calls == [false, true] && source.readCount == 1)
            await first.close()
            await pause(0.3)
            #expect(source.calls == [false, true], "told unwatched while a viewer remained")
            await second.close()
            #expect(await eventually(timeout: TestPatience.seconds) { source.calls == [false, true, false] }, "\(source.calls)")
            let third = try await TestViewer.connect(to: server.boundAddress)
            #expect(source.calls == [false, true, false, true])
            #expect(await third.waitForFramebuffer(source.frame))
            await third.close()
        }
    }
}

extension TestViewer {
    /// Waits until the viewer shows the source's picture of the moment (which may move meanwhile).
    func waitForFramebufferToFollow(_ source: UnwatchedPauseTests.AnimatedSource) async -> Bool {
        for _ in 0..<40 {
            if await waitForFramebuffer(source.frame, timeout: 0.25) { return true }
        }
        return false
    }
}
