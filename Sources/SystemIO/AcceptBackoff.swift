#if canImport(Glibc)
import Glibc
#endif

/// What a listening socket's owner does when accept(2) fails for want of a resource: EMFILE or
/// ENFILE at the descriptor limit, ENOBUFS or ENOMEM.
///
/// Why: the waiting connection stays in the listen queue, so a level-triggered watch reports the
/// socket readable again at once. Without a pause the thread spins at 100% CPU and, if it logs
/// each failure, writes hundreds of thousands of lines a second (measured: 972 500 lines in about
/// five seconds for `porthole serve --device` under `ulimit -n 48` with 60 connections waiting).
/// With it the owner stops watching the socket for a pause that doubles from `firstPause` up to
/// `longestPause`, reports the first failure of a streak and then one a minute, and says once
/// when accepting works again. Connections queued meanwhile are accepted after the pause (the
/// kernel keeps them); nothing is refused on the owner's side.
///
/// Pure: the owner passes the time and does the watching, pausing and logging.
public struct AcceptBackoff: Sendable {
    public static let firstPause: UInt64 = 50_000_000
    public static let longestPause: UInt64 = 1_000_000_000
    /// How often a streak of failures is reported after its first.
    public static let reportInterval: UInt64 = 60_000_000_000

    /// What the owner does after one failure.
    public struct Pause: Equatable, Sendable {
        /// How long to stop watching the listening socket.
        public var nanoseconds: UInt64
        /// Whether to log this failure (the first of a streak, or a minute after the last report).
        public var report: Bool

        public init(nanoseconds: UInt64, report: Bool) {
            self.nanoseconds = nanoseconds
            self.report = report
        }
    }

    /// Failures since the last accepted connection.
    public private(set) var failures = 0
    private var nextPause = AcceptBackoff.firstPause
    private var lastReport: UInt64?

    public init() {}

    /// Whether accept(2)'s `errno` means the queue is empty or one connection went away
    /// (EAGAIN, EINTR, ECONNABORTED): not a failure, the owner just goes on.
    public static func isTransient(errno code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == ECONNABORTED
    }

    /// A failure at monotonic time `now` (nanoseconds).
    public mutating func failed(at now: UInt64) -> Pause {
        failures += 1
        let pause = nextPause
        nextPause = min(nextPause * 2, Self.longestPause)
        let report: Bool
        if let lastReport, now >= lastReport, now - lastReport < Self.reportInterval {
            report = false
        } else {
            report = true
            lastReport = now
        }
        return Pause(nanoseconds: pause, report: report)
    }

    /// A connection was accepted. Returns how many failures the streak it ends had (for the
    /// owner to say accepting works again), nil when there was none.
    public mutating func accepted() -> Int? {
        guard failures > 0 else { return nil }
        let ended = failures
        self = AcceptBackoff()
        return ended
    }
}
