/// Decides, from what it measures on the connection's own data, whether a ZRLE encoder's small
/// runs of tiles (below `ZRLESplice.minimumBytes`) go through libdeflate too.
///
/// libdeflate deflates a run 3-4 times faster than zlib, but a spliced run cannot refer to the
/// bytes before it (`SplicedChunkDeflater`). Whether that costs anything depends on the picture:
/// on the peers benchmark's scrolling text, splicing every run cost 0.3% more bytes for a quarter
/// less server CPU, while on full-screen motion, whose runs repeat what came just before them, it
/// cost 3.6% more bytes (docs/benchmarks.md, "Small runs spliced where it costs nothing"). No rule
/// of run size separates the two, so the encoder measures: now and then a small run is deflated
/// both ways (a trial: zlib's output goes out, libdeflate's is only counted), and small runs are
/// spliced while libdeflate's recent total stays within `tolerance` of zlib's. Trials are spaced
/// by bytes, not runs: while splicing, each costs zlib's restart with the history as dictionary.
///
/// Pure: the lanes run the trials and report their sizes (`record`); the encoder asks before each
/// update (`splicesSmallRuns`, `trialSpacingBytes`).
public struct SpliceAdvisor: Sendable {
    /// How much larger libdeflate's output may be than zlib's, as a fraction, for small runs to
    /// be spliced: 1%, a small share of the bytes against the quarter of the CPU it saves where it
    /// applies.
    public static let tolerance = 0.01
    /// Each trial's weight in the running totals decays by this factor per later trial, so that
    /// the choice follows the picture within a few dozen trials.
    static let decay = 0.9
    /// Trials before the first choice; until then every small run is a trial.
    static let warmUpTrials = 6
    /// After the warm-up, a trial follows this many bytes of small runs (a lane's input):
    /// about one a frame on scrolling text at 1920x1080.
    static let steadyTrialSpacingBytes = 64 << 10
    /// Trials are four times as far apart while the ratio is more than this far from the
    /// threshold, either way: a choice that clear needs checking less often. On full-screen
    /// motion (3.6% more bytes spliced) the trials at the nearer spacing took 1.7% of the CPU.
    static let clearMargin = 0.02

    /// Decayed totals of the trials' compressed sizes.
    private(set) var zlibBytes = 0.0
    private(set) var splicedBytes = 0.0
    private(set) var trials = 0

    public init() {}

    /// Whether runs below `ZRLESplice.minimumBytes` go through libdeflate: only once the warm-up's
    /// trials are in and libdeflate's total is within the tolerance of zlib's.
    public var splicesSmallRuns: Bool {
        trials >= Self.warmUpTrials && splicedBytes <= zlibBytes * (1 + Self.tolerance)
    }

    /// Bytes of small runs from one trial to the next: none during the warm-up, four times the
    /// steady spacing while the choice is clear.
    public var trialSpacingBytes: Int {
        if trials < Self.warmUpTrials { return 0 }
        let clear = abs(splicedBytes - zlibBytes * (1 + Self.tolerance)) > zlibBytes * Self.clearMargin
        return clear ? 4 * Self.steadyTrialSpacingBytes : Self.steadyTrialSpacingBytes
    }

    /// A trial's outcome: the run's bytes from zlib (with the stream's history) and from libdeflate
    /// (without it, plus the splice's closing stored block).
    public mutating func record(zlibBytes zlib: Int, splicedBytes spliced: Int) {
        zlibBytes = zlibBytes * Self.decay + Double(zlib)
        splicedBytes = splicedBytes * Self.decay + Double(spliced)
        trials += 1
    }
}
