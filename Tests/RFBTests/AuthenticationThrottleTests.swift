import Testing
import NIOCore
import RFB

struct AuthenticationThrottleTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    let policy = AuthenticationThrottle<String>.Policy(allowedFailures: 3, initialBlock: .seconds(10), maximumBlock: .seconds(60),
                                                       forgetAfter: .seconds(3600), maximumTrackedAddresses: 4)

    @Test func failuresBelowTheThresholdDoNotBlock() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        throttle.recordFailure(from: "a", now: start)
        throttle.recordFailure(from: "a", now: start)
        #expect(throttle.mayAttempt(from: "a", now: start))
    }

    @Test func reachingTheThresholdBlocksForTheInitialTime() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        for _ in 0..<3 { throttle.recordFailure(from: "a", now: start) }
        #expect(!throttle.mayAttempt(from: "a", now: start))
        #expect(!throttle.mayAttempt(from: "a", now: start + .seconds(9)))
        #expect(throttle.blockedUntil("a", now: start) == start + .seconds(10))
        #expect(throttle.mayAttempt(from: "a", now: start + .seconds(10)))
        #expect(throttle.mayAttempt(from: "b", now: start), "other addresses are unaffected")
    }

    @Test func eachFurtherFailureDoublesTheBlockUpToTheCap() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        var now = start
        for _ in 0..<3 { throttle.recordFailure(from: "a", now: now) }
        var expectedBlocks: [Int64] = []
        var observed: [Int64] = []
        for expected in [20, 40, 60, 60, 60] as [Int64] {
            now = throttle.blockedUntil("a", now: now)!
            throttle.recordFailure(from: "a", now: now)
            observed.append((throttle.blockedUntil("a", now: now)! - now).nanoseconds / 1_000_000_000)
            expectedBlocks.append(expected)
        }
        #expect(observed == expectedBlocks)
    }

    @Test func successForgetsTheAddress() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        for _ in 0..<2 { throttle.recordFailure(from: "a", now: start) }
        throttle.recordSuccess(from: "a")
        #expect(throttle.trackedAddressCount == 0)
        for _ in 0..<2 { throttle.recordFailure(from: "a", now: start) }
        #expect(throttle.mayAttempt(from: "a", now: start), "the count started over")
    }

    @Test func pruningForgetsQuietUnblockedAddresses() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        throttle.recordFailure(from: "quiet", now: start)
        for _ in 0..<3 { throttle.recordFailure(from: "blocked", now: start + .seconds(3595)) }
        throttle.prune(now: start + .seconds(3600))
        #expect(throttle.trackedAddressCount == 1)
        #expect(!throttle.mayAttempt(from: "blocked", now: start + .seconds(3600)))
    }

    @Test func theTableStaysBounded() {
        var throttle = AuthenticationThrottle<String>(policy: policy)
        for i in 0..<10 { throttle.recordFailure(from: "host\(i)", now: start + .seconds(Int64(i))) }
        #expect(throttle.trackedAddressCount <= 4)
        for _ in 0..<2 { throttle.recordFailure(from: "host9", now: start + .seconds(20)) }
        #expect(!throttle.mayAttempt(from: "host9", now: start + .seconds(20)), "the newest entries are kept")
    }
}
