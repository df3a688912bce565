#if canImport(Glibc)
import Glibc
#endif
import Display
@testable import DisplayServer
import Testing

/// The sleeping clock (docs/protocol.md §12): ticks are counted through the pipeline's timer, not
/// by timing, and sequences are compared with what a clock ticking at every interval would give.
@Suite struct SleepingClockTests {
    private func timerTicks(_ server: DeviceServer, _ output: UInt32) -> Int? {
        server.thread.sync { server.pipelines[OutputID(output)]?.timerTicks }
    }

    @Test func anIdleOutputsClockDoesNotTickAndItsNextFlipCountsTheVblanksItSkipped() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("sleepy"), refreshMillihertz: 60_000)
        let output = producer.output.outputID
        usleep(100_000)
        producer.draw(0, seed: 1)
        let first = try producer.presentAndWait(0)
        // 60 Hz for 300 ms: a ticking clock would have ticked about 18 times meanwhile.
        usleep(300_000)
        #expect(timerTicks(fixture.server, output) == 0, "the clock ticked while nothing was pending")
        producer.draw(1, seed: 2)
        let second = try producer.presentAndWait(1)
        let interval: UInt64 = 1_000_000_000_000 / 60_000
        // The first flip restarted the grid at its timestamp; the second is an extra vblank after
        // every whole interval since then.
        let skipped = (second.timestampNanoseconds - first.timestampNanoseconds) / interval
        #expect(skipped >= 17)
        #expect(second.sequence == first.sequence + skipped + 1)
        #expect(timerTicks(fixture.server, output) == 0, "both commits flipped at once, without the timer")
    }

    @Test func aCommitRightAfterAFlipWakesTheClockForOneTickAtTheInterval() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        // 1 Hz: a commit right after a flip surely comes within the interval and waits for the tick.
        let producer = try ProducerSetup(try fixture.producer("paced"), refreshMillihertz: 1_000)
        let output = producer.output.outputID
        producer.draw(0, seed: 1)
        var flips = [try producer.presentAndWait(0)]
        for frame in 1...2 {
            producer.draw(frame % 2, seed: UInt32(frame + 1))
            flips.append(try producer.presentAndWait(frame % 2))
        }
        for (previous, next) in zip(flips, flips.dropFirst()) {
            #expect(next.sequence == previous.sequence + 1)
            #expect(next.timestampNanoseconds - previous.timestampNanoseconds >= 875_000_000,
                    "flips \(next.timestampNanoseconds - previous.timestampNanoseconds) ns apart at 1 Hz")
        }
        #expect(timerTicks(fixture.server, output) == 2, "one tick per commit that waited, none else")
        #expect(shownFrame(fixture.server, output: output) == producer.expectedFrame(seed: 3))
    }
}
