import Geometry
import Pixels

/// Shrinks a frame's reported damage to the tiles that really changed (DESIGN.md, "Damage": the
/// server may shrink damage by tile comparison, but never grows it past what changed).
///
/// Viewers are owed pixels only where the new frame differs from what they hold. Outside the
/// destinations of the frame's moves a viewer holds the previous frame, so damage there is
/// compared with it tile by tile. Inside a move's destination a viewer holds the moved pixels,
/// not the previous frame's, so damage there is kept whole: comparing it with the previous frame
/// could drop pixels that equal what was there before the move but not what the move brought.
///
/// With a `moveDetector`, damage a source reported without moves is then searched for content
/// that moved (a scroll, a dragged window; `MoveDetector`), so viewers can be sent CopyRect. A
/// source that reports moves itself knows better and is not second-guessed.
///
/// With a `trimmer`, the changed tiles are then cut to the pixels that differ, where that saves
/// enough (`isWorthCutting`): the result says which pixels differ from the previous frame at all
/// (`FrameDamage.changedPixels`), the whole debt of a viewer that takes no copies, and its region
/// outside the moves' destinations shrinks to them for every viewer.
public struct DamageRefinery: Sendable {
    public let comparer: TileComparer
    public let moveDetector: MoveDetector?
    public let trimmer: ChangedPixelTrimmer?

    public init(comparer: TileComparer = TileComparer(), moveDetector: MoveDetector? = nil, trimmer: ChangedPixelTrimmer? = nil) {
        self.comparer = comparer
        self.moveDetector = moveDetector
        self.trimmer = trimmer
    }

    /// `damage` (what happened between `previous` and `current`) with its region reduced to the
    /// changed tiles, and any move found in them when it reports none. Frames of different sizes are not compared: the damage is returned as it is.
    ///
    /// `changedPixelsWanted` false says that every consumer takes the moves as moves: then the
    /// reported moves' destinations are not read again to find `changedPixels`, which only a
    /// consumer without copies uses (one that sees none falls back to the destinations whole).
    ///
    /// `expectedMove` is the offset of the move found in the frame before, tried first by the
    /// move detector (`MoveDetector.detect`). `exactMoves` false says that no consumer takes
    /// copies: a move found is then an estimate, marked unverified, which only shapes the damage.
    public func refine(_ damage: FrameDamage, previous: PixelBuffer, current: PixelBuffer,
                       changedPixelsWanted: Bool = true, expectedMove: Point? = nil, exactMoves: Bool = true) -> FrameDamage {
        // A fresh advisor trims its first frame, so this one trims every frame.
        var everyFrame = TrimAdvisor()
        return refine(damage, previous: previous, current: current, changedPixelsWanted: changedPixelsWanted,
                      expectedMove: expectedMove, exactMoves: exactMoves, advisor: &everyFrame)
    }

    /// `refine`, with the trimmer run only where `advisor` says (`TrimAdvisor`), which then hears
    /// whether the cut was used.
    public func refine(_ damage: FrameDamage, previous: PixelBuffer, current: PixelBuffer, changedPixelsWanted: Bool = true,
                       expectedMove: Point? = nil, exactMoves: Bool = true, advisor: inout TrimAdvisor) -> FrameDamage {
        guard !damage.region.isEmpty, previous.size == current.size else { return damage }
        let moved = Region(rects: damage.moves.map(\.destination))
        let compared = damage.region.subtracting(moved)
        guard !compared.isEmpty else { return damage }
        let changed = previous.withView { old in
            current.withView { new in comparer.changedRegion(from: old, to: new, within: compared) }
        }
        var refined: FrameDamage
        if damage.moves.isEmpty, let moveDetector, !changed.isEmpty {
            refined = previous.withView { old in
                current.withView { new in moveDetector.detect(previous: old, current: new, damage: changed, expected: expectedMove, exact: exactMoves) }
            }
        } else {
            refined = FrameDamage(moves: damage.moves, region: damage.region.intersection(moved).union(changed))
        }
        if let trimmer, advisor.nextFrameTrims() {
            let destinations = Region(rects: refined.moves.map(\.destination))
            // Inside reported moves' destinations nothing was compared yet; only the
            // changed pixels of the whole frame need them. Without a consumer that wants those,
            // only the pixels outside all destinations are of use, so the destinations of moves
            // found here are not read either: a detected scroll's area is most of its damage.
            let readsDestinations = changedPixelsWanted && !moved.isEmpty
            let exact = previous.withView { old in
                current.withView { new in
                    let tiles = readsDestinations ? changed.union(comparer.changedRegion(from: old, to: new, within: moved))
                        : changedPixelsWanted ? changed : changed.subtracting(destinations)
                    return trimmer.changedPixels(in: tiles, from: old, to: new)
                }
            }
            let changedPixelsCut = changedPixelsWanted && Self.isWorthCutting(exact.area, from: refined.region.union(destinations).area)
            if changedPixelsCut {
                refined.changedPixels = exact
            }
            // Outside the moves' destinations viewers hold the previous frame, so the damage
            // there may shrink to the pixels that differ; inside them it stays as it is.
            let outside = refined.region.subtracting(destinations)
            let exactOutside = exact.intersection(outside)
            let outsideCut = !outside.isEmpty && Self.isWorthCutting(exactOutside.area, from: outside.area)
            if outsideCut {
                refined.region = refined.region.intersection(destinations).union(exactOutside)
            }
            advisor.record(cutUsed: changedPixelsCut || outsideCut)
        }
        return refined
    }

    /// Whether damage of `area` pixels should replace damage of `whole` pixels it was cut from:
    /// only when it saves at least a quarter of them. Cutting turns one rectangle into several,
    /// each with a header and a compressed-data length, around pixels that are often cheap to send
    /// (a window's blank interior); on the dragged-window benchmark, cuts that saved a sixth of
    /// the pixels cost 9% more bytes, while on scrolling text, cuts that saved half of them
    /// saved 13% (docs/benchmarks.md, "Pixel-exact damage").
    static func isWorthCutting(_ area: Int, from whole: Int) -> Bool { area * 4 <= whole * 3 }
}
