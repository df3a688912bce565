import Display
import Testing

/// The idle-output rule of docs/protocol.md §12: flip at once after a quiet interval, otherwise
/// wait for the frame tick. The clock is passed in, so nothing here waits.
@Suite struct FlipPacerTests {
    private let interval: UInt64 = 16_666_666

    @Test func anOutputThatNeverFlippedFlipsItsFirstCommitAtOnce() {
        #expect(FlipPacer(intervalNanoseconds: interval).flipsAtOnce(commitAt: 5))
    }

    @Test func aCommitWithinOneIntervalOfTheLastFlipWaitsForTheTick() {
        var pacer = FlipPacer(intervalNanoseconds: interval)
        pacer.flipped(at: 1_000_000_000)
        #expect(!pacer.flipsAtOnce(commitAt: 1_000_000_000))
        #expect(!pacer.flipsAtOnce(commitAt: 1_000_000_000 + interval - 1))
    }

    @Test func aCommitAtLeastOneIntervalAfterTheLastFlipFlipsAtOnce() {
        var pacer = FlipPacer(intervalNanoseconds: interval)
        pacer.flipped(at: 1_000_000_000)
        #expect(pacer.flipsAtOnce(commitAt: 1_000_000_000 + interval))
        #expect(pacer.flipsAtOnce(commitAt: 1_000_000_000 + 10 * interval))
    }

    @Test func everyFlipRestartsTheQuietInterval() {
        var pacer = FlipPacer(intervalNanoseconds: interval)
        pacer.flipped(at: 0)
        pacer.flipped(at: 3 * interval)
        #expect(pacer.lastFlipNanoseconds == 3 * interval)
        #expect(!pacer.flipsAtOnce(commitAt: 3 * interval + interval / 2))
        #expect(pacer.flipsAtOnce(commitAt: 4 * interval))
    }

    @Test func aLongerIntervalAfterARefreshChangeAppliesToTheNextCommit() {
        var pacer = FlipPacer(intervalNanoseconds: interval)
        pacer.flipped(at: 0)
        pacer.intervalNanoseconds = 4 * interval
        #expect(!pacer.flipsAtOnce(commitAt: 2 * interval))
        #expect(pacer.flipsAtOnce(commitAt: 4 * interval))
    }
}
