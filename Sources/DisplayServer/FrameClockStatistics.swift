/// One output's frame clock over the last report period (a minute): whether frames were lost at
/// the server's tick or at the producer, and what the scanout ring cost.
///
/// A producer paced by page flips (docs/protocol.md §7.9, §12) commits after each PageFlip; a
/// frame is shown late either because the tick itself ran late (the server's queue did not get a
/// core in time: `lateTicks`) or because the commit had not arrived when the tick came
/// (`emptyTicks` while the producer keeps committing). Whole copies are the ticks whose oldest
/// scanout picture was still held (`PictureRing`). A producer that keeps up and a server that
/// ticks on time report nothing.
struct FrameClockStatistics {
    static let periodNanoseconds: UInt64 = 60_000_000_000

    private(set) var ticks = 0
    private(set) var lateTicks = 0
    private(set) var worstLatenessNanoseconds: UInt64 = 0
    private(set) var emptyTicks = 0
    private(set) var flips = 0
    private var wholeCopiesAtStart: Int?
    private var periodStart: UInt64?

    /// A regular tick of the clock, `latenessNanoseconds` after it was due. A tick counts as late
    /// past an eighth of the interval, the threshold at which the clock restarts from it.
    mutating func recordTick(latenessNanoseconds: UInt64, intervalNanoseconds: UInt64) {
        ticks += 1
        if latenessNanoseconds > intervalNanoseconds / 8 { lateTicks += 1 }
        worstLatenessNanoseconds = max(worstLatenessNanoseconds, latenessNanoseconds)
    }

    /// A tick (regular or flipped at once) that applied a commit, or found none pending.
    mutating func recordFlip(applied: Bool) {
        if applied { flips += 1 } else { emptyTicks += 1 }
    }

    /// Once a period: a line for the log when ticks were late, pictures were copied whole, or the
    /// producer flipped on some ticks but had no commit ready on others; and a fresh period. An
    /// output whose producer commits nothing (idle) reports nothing. `wholeCopies` is the
    /// composer's running count.
    mutating func report(at now: UInt64, wholeCopies: Int) -> String? {
        guard let start = periodStart, let copiesAtStart = wholeCopiesAtStart else {
            periodStart = now
            wholeCopiesAtStart = wholeCopies
            return nil
        }
        guard now &- start >= Self.periodNanoseconds else { return nil }
        let copies = wholeCopies - copiesAtStart
        let line = lateTicks > 0 || copies > 0 || (flips > 0 && emptyTicks > 0)
            ? "\(ticks) ticks in \((now &- start) / 1_000_000_000) s: \(lateTicks) late (worst \(worstLatenessNanoseconds / 1_000_000) ms), "
              + "\(flips) flips, \(emptyTicks) ticks without a commit; \(copies) scanout pictures still held were copied whole"
            : nil
        self = FrameClockStatistics()
        periodStart = now
        wholeCopiesAtStart = wholeCopies
        return line
    }
}
