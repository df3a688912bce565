/// When a commit may reach an output's screen (docs/protocol.md §12 "Pacing and lifetime").
///
/// The output's frame clock ticks once per frame interval and applies the pending commit at each
/// tick. An output that has been idle — it flipped nothing during the last interval — does not make
/// a commit wait for that tick: the commit flips at once, an extra vblank that comes when the frame
/// is ready, as with adaptive sync (VRR). A commit less than one interval after the last flip waits
/// for the tick, so an output never flips more than once per interval and the mailbox keeps its
/// meaning (a newer commit before the tick replaces the pending one).
///
/// Pure: the edge passes in its monotonic clock and arms the timer.
public struct FlipPacer: Sendable, Equatable {
    /// The output's frame interval at its (clamped) refresh rate.
    public var intervalNanoseconds: UInt64
    /// When a commit last reached the screen, nil before the first.
    public private(set) var lastFlipNanoseconds: UInt64?

    public init(intervalNanoseconds: UInt64) {
        self.intervalNanoseconds = intervalNanoseconds
    }

    /// Whether a commit that arrives at `now` flips at once rather than at the next tick: true when
    /// no flip happened in the interval before `now`.
    public func flipsAtOnce(commitAt now: UInt64) -> Bool {
        guard let last = lastFlipNanoseconds else { return true }
        return now >= last && now - last >= intervalNanoseconds
    }

    /// A commit reached the screen at `now` (at a tick or at once).
    public mutating func flipped(at now: UInt64) {
        lastFlipNanoseconds = now
    }
}
