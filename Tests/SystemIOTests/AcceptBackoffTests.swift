#if canImport(Glibc)
import Glibc
#endif
import Testing
import SystemIO

struct AcceptBackoffTests {
    private let second: UInt64 = 1_000_000_000

    @Test func pausesDoubleUpToTheLongest() {
        var backoff = AcceptBackoff()
        var pauses: [UInt64] = []
        for i in 0..<8 { pauses.append(backoff.failed(at: UInt64(i) * second).nanoseconds) }
        #expect(pauses == [50, 100, 200, 400, 800, 1000, 1000, 1000].map { UInt64($0) * 1_000_000 })
        #expect(backoff.failures == 8)
    }

    @Test func aStreakIsReportedFirstThenOnceAMinute() {
        var backoff = AcceptBackoff()
        let start: UInt64 = 5 * second
        #expect(backoff.failed(at: start).report)
        #expect(!backoff.failed(at: start + 1).report)
        #expect(!backoff.failed(at: start + 59 * second).report)
        #expect(backoff.failed(at: start + 60 * second).report)
        #expect(!backoff.failed(at: start + 61 * second).report)
        #expect(backoff.failed(at: start + 121 * second).report)
    }

    @Test func anAcceptEndsTheStreakAndStartsOver() {
        var backoff = AcceptBackoff()
        #expect(backoff.accepted() == nil)
        _ = backoff.failed(at: 0)
        _ = backoff.failed(at: 1)
        _ = backoff.failed(at: 2)
        #expect(backoff.accepted() == 3)
        #expect(backoff.accepted() == nil)
        #expect(backoff.failures == 0)
        // The next streak pauses briefly again and is reported at once, however recent the last.
        #expect(backoff.failed(at: 3) == AcceptBackoff.Pause(nanoseconds: AcceptBackoff.firstPause, report: true))
    }

    @Test func aClockThatSeemsToGoBackReportsRatherThanStayingSilent() {
        var backoff = AcceptBackoff()
        #expect(backoff.failed(at: 100 * second).report)
        #expect(backoff.failed(at: 10 * second).report)
    }

    @Test func onlyAnEmptyQueueASignalOrAnAbortedConnectionAreTransient() {
        for code in [EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED] { #expect(AcceptBackoff.isTransient(errno: code)) }
        for code in [EMFILE, ENFILE, ENOBUFS, ENOMEM, EPROTO, EPERM] { #expect(!AcceptBackoff.isTransient(errno: code)) }
    }
}
