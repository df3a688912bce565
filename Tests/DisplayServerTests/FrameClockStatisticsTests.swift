import Testing
@testable import DisplayServer

/// The frame clock's once-a-minute report: late and empty ticks and whole copies are counted per
/// period, and a period with nothing late and nothing copied reports nothing.
struct FrameClockStatisticsTests {
    static let interval: UInt64 = 16_666_667
    static let second: UInt64 = 1_000_000_000

    @Test func aPeriodWithLateTicksIsReportedOnceAndThenStartsAfresh() throws {
        var statistics = FrameClockStatistics()
        #expect(statistics.report(at: 1 * Self.second, wholeCopies: 5) == nil)  // starts the period
        statistics.recordTick(latenessNanoseconds: 0, intervalNanoseconds: Self.interval)
        statistics.recordFlip(applied: true)
        statistics.recordTick(latenessNanoseconds: Self.interval / 8, intervalNanoseconds: Self.interval)  // at the threshold: on time
        statistics.recordFlip(applied: false)
        statistics.recordTick(latenessNanoseconds: 7_000_000, intervalNanoseconds: Self.interval)
        statistics.recordFlip(applied: true)
        #expect(statistics.report(at: 30 * Self.second, wholeCopies: 6) == nil)  // the period is not over
        let report = statistics.report(at: 61 * Self.second, wholeCopies: 7)
        let line = try #require(report)
        #expect(line == "3 ticks in 60 s: 1 late (worst 7 ms), 2 flips, 1 ticks without a commit; 2 scanout pictures still held were copied whole")
        #expect(statistics.ticks == 0 && statistics.lateTicks == 0 && statistics.flips == 0)
    }

    @Test func periodsOnTimeReportNothingWhenTheProducerKeepsUpOrIsIdle() {
        var statistics = FrameClockStatistics()
        _ = statistics.report(at: 0, wholeCopies: 3)
        for applied in [true, false] {
            // Every tick on time; the producer flips on every one, then on none (idle).
            for _ in 0..<3600 {
                statistics.recordTick(latenessNanoseconds: 100_000, intervalNanoseconds: Self.interval)
                statistics.recordFlip(applied: applied)
            }
            #expect(statistics.report(at: (applied ? 61 : 122) * Self.second, wholeCopies: 3) == nil)
            #expect(statistics.ticks == 0 && statistics.emptyTicks == 0 && statistics.flips == 0)
        }
    }

    @Test func aProducerMissingTicksIsReportedEvenWhenTheClockIsOnTime() {
        var statistics = FrameClockStatistics()
        _ = statistics.report(at: 0, wholeCopies: 0)
        for k in 0..<3600 {
            statistics.recordTick(latenessNanoseconds: 0, intervalNanoseconds: Self.interval)
            statistics.recordFlip(applied: k % 3 != 0)
        }
        #expect(statistics.report(at: 60 * Self.second, wholeCopies: 0)
                == "3600 ticks in 60 s: 0 late (worst 0 ms), 2400 flips, 1200 ticks without a commit; 0 scanout pictures still held were copied whole")
    }
}
