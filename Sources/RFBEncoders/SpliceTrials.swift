/// A ZRLE lane's trials of its small runs (`SpliceAdvisor`): which run is the next trial, and the
/// outcomes since the encoder last collected them. One per lane; used by the lane's thread during
/// an update and by the encoder between updates.
final class SpliceTrials {
    /// Bytes of small runs between trials (the advisor's `trialSpacingBytes`).
    var spacingBytes = 0
    /// Bytes of small runs since the last trial.
    private var bytesSinceTrial = 0
    private(set) var outcomes: [(zlibBytes: Int, splicedBytes: Int)] = []

    /// Whether this small run of `count` bytes is a trial: the first once `spacingBytes` have
    /// passed since the last one.
    func takeTurn(_ count: Int) -> Bool {
        if bytesSinceTrial >= spacingBytes {
            bytesSinceTrial = 0
            return true
        }
        bytesSinceTrial += count
        return false
    }

    func record(zlibBytes: Int, splicedBytes: Int) {
        outcomes.append((zlibBytes, splicedBytes))
    }

    /// Records the outcomes so far in `advisor` and forgets them (the buffer is kept: this runs
    /// after every update of every lane).
    func drainOutcomes(into advisor: inout SpliceAdvisor) {
        for outcome in outcomes { advisor.record(zlibBytes: outcome.zlibBytes, splicedBytes: outcome.splicedBytes) }
        outcomes.removeAll(keepingCapacity: true)
    }
}
