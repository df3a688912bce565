import Geometry

/// What changed in a plane's framebuffer since the output's last frame, in framebuffer pixels.
/// Bounded: past the device's rect limit it becomes `.full`, which costs a larger recomposition
/// but never an error or a slow merge.
public enum PlaneDamage: Hashable, Sendable {
    case full
    case rects([Rect])

    /// Damage from a commit's clips: `nil` is the whole plane, too many rects are the whole plane.
    init(clips: [Rect]?, limit: Int) {
        guard let clips, clips.count <= limit else { self = .full; return }
        self = .rects(clips.filter { !$0.isEmpty })
    }

    /// The damage of two commits that reach the screen as one (mailbox replacement).
    func merged(with other: PlaneDamage, limit: Int) -> PlaneDamage {
        guard case .rects(let a) = self, case .rects(let b) = other, a.count + b.count <= limit else { return .full }
        return .rects(a + b)
    }

    /// This damage and the destinations of `moves`: what a reader that does not apply the moves
    /// must take again.
    func including(_ moves: [CopyMove]?, limit: Int) -> PlaneDamage {
        guard let moves, !moves.isEmpty else { return self }
        return merged(with: .rects(moves.map(\.destination)), limit: limit)
    }

    var isEmpty: Bool { if case .rects(let r) = self { return r.isEmpty } else { return false } }
}
