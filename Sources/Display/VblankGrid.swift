/// Where an output's vblanks fall, so its frame clock can sleep while nothing is pending and still
/// count every vblank (docs/protocol.md §12 "Pacing and lifetime", §7.9 PageFlip sequence).
///
/// A clock that ticked once per interval whether or not a commit waited would raise the output's
/// sequence at every tick; this grid says how many of those ticks have come by a given moment, so
/// the server can catch the sequence up when it next looks, and arm its timer only for the tick a
/// pending commit waits for. The grid starts again (a new epoch) wherever the ticking clock would
/// have restarted: at the output's creation, at an idle output's extra vblank, at a late tick and
/// at a refresh change.
///
/// Pure: the edge passes in its monotonic clock and owns the timer.
public struct VblankGrid: Sendable, Equatable {
    /// The frame interval at the output's (clamped) refresh rate; at least 1.
    public private(set) var intervalNanoseconds: UInt64
    /// A moment the clock (re)started: the grid's vblanks are one, two, ... intervals after it.
    public private(set) var epochNanoseconds: UInt64
    /// The output's sequence at the epoch.
    public private(set) var epochSequence: UInt64

    public init(intervalNanoseconds: UInt64, epochNanoseconds: UInt64, sequence: UInt64) {
        self.intervalNanoseconds = max(1, intervalNanoseconds)
        self.epochNanoseconds = epochNanoseconds
        self.epochSequence = sequence
    }

    /// The sequence a clock ticking on this grid would have reached by `now`: one more for every
    /// whole interval since the epoch. Before the epoch, the epoch's sequence.
    public func sequence(at now: UInt64) -> UInt64 {
        epochSequence &+ elapsedTicks(at: now)
    }

    /// The grid's first vblank strictly after `now`: where a commit that must wait for a tick
    /// (§12 "at most one flip per interval") gets it.
    public func nextVblank(after now: UInt64) -> UInt64 {
        epochNanoseconds + (elapsedTicks(at: now) + 1) * intervalNanoseconds
    }

    /// The clock starts again at `now`, where the output's sequence is `sequence` (an idle
    /// output's extra vblank, a late tick, a refresh change: §12), with the interval of its
    /// current refresh rate.
    public mutating func restart(at now: UInt64, sequence: UInt64, intervalNanoseconds: UInt64) {
        self = VblankGrid(intervalNanoseconds: intervalNanoseconds, epochNanoseconds: now, sequence: sequence)
    }

    private func elapsedTicks(at now: UInt64) -> UInt64 {
        now > epochNanoseconds ? (now - epochNanoseconds) / intervalNanoseconds : 0
    }
}
