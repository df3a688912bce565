/// Decides, from what the last frames showed, whether a frame's changed tiles are cut to the
/// pixels that differ (`ChangedPixelTrimmer`, in `DamageRefinery.refine`).
///
/// The trimmer reads every changed tile again, and its cut is used only where it saves at least a
/// quarter of the pixels (`DamageRefinery.isWorthCutting`). On text (typing, scrolling) and on
/// full-screen motion it nearly always does; on a dragged window it nearly never does (the
/// window's changed pixels are about three quarters of its old and new places, measured on the
/// peers benchmark: 95 of 99 frames), and on a video region never (every pixel changes); there
/// the trimmer was 7% of the drag's CPU for nothing. So after `unusedBeforeSkipping` trimmed
/// frames in a row whose cut was not used, only every `trialSpacing`-th frame is trimmed, and the
/// first whose cut is used again brings trimming back for every frame. A frame not trimmed goes
/// as its whole changed tiles, as one whose cut is not worth it does: a superset of the pixels
/// that differ, never less.
///
/// Pure: `LiveOutput` keeps one per output, asks before each refinement (`nextFrameTrims`) and
/// reports what the refinement did (`record`).
public struct TrimAdvisor: Sendable {
    /// Trimmed frames in a row with their cut unused before trimming becomes occasional.
    public static let unusedBeforeSkipping = 8
    /// While trimming is occasional, one frame in this many is trimmed.
    public static let trialSpacing = 8

    /// Trimmed frames in a row whose cut was not used.
    private(set) var unusedInARow = 0
    /// Frames since the last trimmed one, while trimming is occasional.
    private(set) var framesSinceTrial = 0

    public init() {}

    /// Whether trimming is occasional now.
    public var isSkipping: Bool { unusedInARow >= Self.unusedBeforeSkipping }

    /// Whether the next frame is trimmed; counts it.
    public mutating func nextFrameTrims() -> Bool {
        guard isSkipping else { return true }
        framesSinceTrial += 1
        if framesSinceTrial >= Self.trialSpacing {
            framesSinceTrial = 0
            return true
        }
        return false
    }

    /// What became of a trimmed frame's cut: used (for the changed pixels or the damage outside
    /// the moves) or not.
    public mutating func record(cutUsed: Bool) {
        if cutUsed {
            unusedInARow = 0
            framesSinceTrial = 0
        } else {
            // Counted only up to where it matters, so a long run of unused cuts never grows it.
            unusedInARow = min(unusedInARow + 1, Self.unusedBeforeSkipping)
        }
    }
}
