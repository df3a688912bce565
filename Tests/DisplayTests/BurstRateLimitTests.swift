import Display
import Testing

/// The frame cap with a burst (GCRA): two events back to back after a pause, then one per
/// interval, and never more than `burst + t / interval` over a span of `t`. Times are passed in.
@Suite struct BurstRateLimitTests {
    private let interval = 1.0 / 60

    @Test func theFirstEventsAfterAPauseGoBackToBack() {
        var limit = BurstRateLimit(interval: interval, burst: 2)
        #expect(limit.allows(at: 10))
        limit.record(at: 10)
        #expect(limit.allows(at: 10.001), "the second of a burst of two waits for nothing")
        limit.record(at: 10.001)
        #expect(!limit.allows(at: 10.002))
        // Due one interval after the first: the pair used the burst, the sustained rate remains.
        #expect(abs(limit.earliest(from: 10.002) - (10 + interval)) < 1e-9)
    }

    @Test func aBurstOfOneIsAPlainSpacing() {
        var limit = BurstRateLimit(interval: 0.1, burst: 1)
        limit.record(at: 5)
        #expect(!limit.allows(at: 5.05))
        #expect(abs(limit.earliest(from: 5.05) - 5.1) < 1e-9)
        #expect(limit.allows(at: 5.1))
    }

    /// Events offered as fast as possible for a second: the count stays within the cap plus the
    /// burst, and events offered at the rate are never held back.
    @Test func theSustainedRateIsTheCap() {
        var limit = BurstRateLimit(interval: interval, burst: 2)
        var sent: [Double] = []
        for step in 0..<10_000 {
            let now = Double(step) / 10_000
            if limit.allows(at: now) { limit.record(at: now); sent.append(now) }
        }
        #expect(sent.count >= 60 && sent.count <= 61, "sent \(sent.count)")
        // Any window of one interval holds at most the burst.
        for (index, t) in sent.enumerated() {
            #expect(sent[index...].prefix { $0 < t + interval - 1e-9 }.count <= 2)
        }

        var paced = BurstRateLimit(interval: interval, burst: 2)
        for k in 0..<120 {
            let now = 20 + Double(k) * interval * 1.0001
            #expect(paced.allows(at: now), "an event at the rate was held back (k = \(k))")
            paced.record(at: now)
        }
    }

    /// A pause refills the burst, but no more than the burst: an hour of idleness buys two.
    @Test func aLongPauseBuysOnlyTheBurst() {
        var limit = BurstRateLimit(interval: interval, burst: 2)
        limit.record(at: 0)
        var sentAfterPause = 0
        for step in 0..<10 {
            let now = 3600 + Double(step) * 0.0001
            if limit.allows(at: now) { limit.record(at: now); sentAfterPause += 1 }
        }
        #expect(sentAfterPause == 2)
    }

    @Test func nonsenseSettingsAreClamped() {
        var limit = BurstRateLimit(interval: -1, burst: 0)
        #expect(limit.interval == 0 && limit.burst == 1)
        limit.record(at: 1)
        #expect(limit.allows(at: 1), "a zero interval limits nothing")
    }
}
