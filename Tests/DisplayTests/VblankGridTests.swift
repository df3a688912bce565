import Display
import Testing

/// A sleeping frame clock counts the vblanks a ticking one would have (docs/protocol.md §12): the
/// grid is checked against a clock that ticks at every interval. The clock is passed in, so
/// nothing here waits.
@Suite struct VblankGridTests {
    private let interval: UInt64 = 16_666_666
    private let epoch: UInt64 = 5_000_000_000

    /// The sequence of a clock that started at `epoch` with `sequence` and ticked at every whole
    /// interval up to `now`, tick by tick.
    private func ticked(from epoch: UInt64, sequence: UInt64, until now: UInt64) -> UInt64 {
        var sequence = sequence
        var tick = epoch + interval
        while tick <= now { sequence += 1; tick += interval }
        return sequence
    }

    @Test func theSequenceAfterAnIdleGapIsWhatTickingWouldHaveReached() {
        let grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: epoch, sequence: 7)
        for gap: UInt64 in [0, 1, interval - 1, interval, interval + 1, 59 * interval + 3, 600 * interval - 1, 600 * interval] {
            #expect(grid.sequence(at: epoch + gap) == ticked(from: epoch, sequence: 7, until: epoch + gap), "gap \(gap) ns")
        }
    }

    @Test func beforeItsEpochTheGridHasCountedNothing() {
        let grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: epoch, sequence: 3)
        #expect(grid.sequence(at: epoch - 1) == 3)
        #expect(grid.sequence(at: 0) == 3)
    }

    @Test func aCommitWaitsForTheNextVblankOnTheGridNotAWholeIntervalFromItself() {
        let grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: epoch, sequence: 0)
        #expect(grid.nextVblank(after: epoch) == epoch + interval)
        #expect(grid.nextVblank(after: epoch + interval / 2) == epoch + interval)
        #expect(grid.nextVblank(after: epoch + interval - 1) == epoch + interval)
        // Exactly on a vblank: that one has been counted, the commit gets the next.
        #expect(grid.nextVblank(after: epoch + interval) == epoch + 2 * interval)
        #expect(grid.nextVblank(after: epoch + 40 * interval + 9) == epoch + 41 * interval)
    }

    @Test func backToBackTicksAtTheGridsVblanksAreOneIntervalApartAndCountOneEach() {
        let grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: epoch, sequence: 0)
        var now = epoch + 1_000
        var previous: UInt64?
        for expected: UInt64 in 1...5 {
            let vblank = grid.nextVblank(after: now)
            if let previous { #expect(vblank - previous == interval) }
            #expect(grid.sequence(at: vblank) == expected)
            previous = vblank
            now = vblank + 2_000_000 // the producer commits a little after each PageFlip
        }
    }

    @Test func aRestartMovesTheGridToTheFlipAndKeepsCountingFromItsSequence() {
        var grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: epoch, sequence: 0)
        let flip = epoch + 10 * interval + 12_345
        let sequence = grid.sequence(at: flip) + 1 // the idle output's extra vblank
        grid.restart(at: flip, sequence: sequence, intervalNanoseconds: 2 * interval)
        #expect(grid.sequence(at: flip) == 11)
        #expect(grid.nextVblank(after: flip) == flip + 2 * interval)
        #expect(grid.sequence(at: flip + 2 * interval - 1) == 11)
        #expect(grid.sequence(at: flip + 6 * interval) == 14)
    }
}
