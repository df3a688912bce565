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
public struct DamageRefinery: Sendable {
    public let comparer: TileComparer
    public let moveDetector: MoveDetector?

    public init(comparer: TileComparer = TileComparer(), moveDetector: MoveDetector? = nil) {
        self.comparer = comparer
        self.moveDetector = moveDetector
    }

    /// `damage` (what happened between `previous` and `current`) with its region reduced to the
    /// changed tiles, and any move found in them when it reports none. Frames of different sizes are not compared: the damage is returned as it is.
    public func refine(_ damage: FrameDamage, previous: PixelBuffer, current: PixelBuffer) -> FrameDamage {
        guard !damage.region.isEmpty, previous.size == current.size else { return damage }
        let moved = Region(rects: damage.moves.map(\.destination))
        let compared = damage.region.subtracting(moved)
        guard !compared.isEmpty else { return damage }
        let changed = previous.withView { old in
            current.withView { new in comparer.changedRegion(from: old, to: new, within: compared) }
        }
        if damage.moves.isEmpty, let moveDetector, !changed.isEmpty {
            return previous.withView { old in
                current.withView { new in moveDetector.detect(previous: old, current: new, damage: changed) }
            }
        }
        return FrameDamage(moves: damage.moves, region: damage.region.intersection(moved).union(changed))
    }
}
