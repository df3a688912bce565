#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry
import Pixels

/// Finds content that moved between two frames when the source reported only damage (a scroll, a
/// dragged window), so viewers get CopyRect instead of the pixels (RFC 6143 §7.7.2; DESIGN.md,
/// "Damage": moves are reported by sources that know them, found by the server for the others).
///
/// It looks only inside large damaged areas (the bounds of each connected part of the damage, at
/// least `minimumSide` on each side). In each, a few short segments of the new frame that have
/// some detail (probes, `MoveProbe`) are searched for in the previous frame with a rolling hash,
/// which yields candidate offsets, 2-D as well as vertical; the offsets most probes agree on are
/// then verified by comparing the pixels (memcmp), growing the largest rectangle around a probe
/// whose every row equals the previous frame's at that offset (`MoveVerification`). A hash only
/// proposes; nothing is reported that was not compared pixel for pixel, so applying the move to
/// the previous frame and then the remaining damage's pixels gives exactly the new frame. Unless
/// asked for an estimate (`detect(exact: false)`), for viewers that take no copies: then only
/// every `estimateRowStep`-th row of the rectangle is compared, and the move is marked unverified
/// (`FrameDamage.movesVerified`), so that nothing applies it as a copy.
///
/// The cost is bounded: each area costs one rolling pass over its bounds in the previous frame plus
/// the verification of at most `candidatesPerArea` offsets, and no more than `pixelBudget` pixels
/// of bounds are searched per frame.
public struct MoveDetector: Sendable {
    /// Damaged areas narrower or lower than this are not searched.
    public let minimumSide: Int
    /// A move smaller than this (in pixels) is not worth a CopyRect; it stays damage.
    public let minimumArea: Int
    /// The most pixels of damage bounds searched per frame.
    public let pixelBudget: Int
    /// How many of the offsets the probes found are verified, best first.
    public let candidatesPerArea: Int
    /// Rows per step of an estimate's growth (`MoveVerification.rowStep`).
    public static let estimateRowStep = 8

    public init(minimumSide: Int = 64, minimumArea: Int = 64 * 64, pixelBudget: Int = 1 << 22, candidatesPerArea: Int = 4) {
        precondition(minimumSide >= MoveProbe.length, "areas must fit a probe")
        self.minimumSide = minimumSide
        self.minimumArea = minimumArea
        self.pixelBudget = pixelBudget
        self.candidatesPerArea = candidatesPerArea
    }

    /// The largest verified move inside `damage` (reported as the only move) and the damage that is
    /// left outside its destination; `damage` alone when nothing moved. The frames must have the
    /// same size; their strides may differ. At most one move is returned because a viewer's backlog
    /// keeps one move (`PendingUpdate`).
    ///
    /// `expected` is the offset (dx, dy) of the last move found, if any: scrolls and drags go on
    /// at the same offset for many frames, so it is tried first, and when it verifies over at least
    /// half of an area's bounds, that area is not searched (the search, a rolling hash over the
    /// bounds, is most of the detector's cost). The result is verified pixel for pixel either way,
    /// unless `exact` is false.
    ///
    /// With `exact` false the move is an estimate, marked unverified: for a consumer that takes no
    /// copies, which is owed the pixels of the move's destination as well as of the damage left
    /// outside it. Those two always cover `damage`, whatever the move, so the estimate only shapes
    /// what such a consumer is sent (a dragged window as one rectangle of its own, not as the
    /// changed tiles around it: 5% fewer bytes on the peers benchmark's drag), and it costs an
    /// eighth of the verification (12% of the server's CPU on scrolling and motion).
    public func detect(previous: PixelView, current: PixelView, damage: Region, expected: Point? = nil,
                       exact: Bool = true) -> FrameDamage {
        let unchanged = FrameDamage(region: damage)
        guard previous.width == current.width, previous.height == current.height else { return unchanged }
        let area = damage.intersection(current.bounds)
        var budget = pixelBudget
        var best: CopyMove?
        for bounds in Self.connectedBounds(of: area).sorted(by: { $0.area > $1.area }) {
            guard bounds.width >= minimumSide, bounds.height >= minimumSide, bounds.area <= budget else { continue }
            budget -= bounds.area
            guard let found = bestMove(in: bounds, damage: area, previous: previous, current: current, expected: expected,
                                       rowStep: exact ? 1 : Self.estimateRowStep) else { continue }
            if found.destination.area > (best?.destination.area ?? minimumArea - 1) { best = found }
        }
        guard let best else { return unchanged }
        var found = FrameDamage(moves: [best], region: damage.subtracting(best.destination))
        found.movesVerified = exact
        return found
    }

    /// The verified move with the largest destination inside `bounds`, if any.
    private func bestMove(in bounds: Rect, damage: Region, previous: PixelView, current: PixelView, expected: Point?,
                          rowStep: Int) -> CopyMove? {
        let probes = MoveProbe.pick(in: bounds, damage: damage, of: current)
        if probes.isEmpty { return nil }
        if let expected {
            // The first probe that matches at the expected offset is grown; a small result means
            // the content may have moved otherwise, and the search decides.
            let verification = MoveVerification(previous: previous, current: current, dx: expected.x, dy: expected.y, rowStep: rowStep)
            for probe in probes {
                guard let rect = verification.largestRect(around: probe.origin, length: MoveProbe.length, within: bounds) else { continue }
                if rect.area * 2 >= bounds.area {
                    return CopyMove(destination: rect, source: Point(x: rect.x - expected.x, y: rect.y - expected.y))
                }
                break
            }
        }
        let candidates = MoveProbe.offsets(of: probes, foundIn: previous, within: bounds).prefix(candidatesPerArea)
        var best: CopyMove?
        for candidate in candidates {
            let verification = MoveVerification(previous: previous, current: current, dx: candidate.dx, dy: candidate.dy, rowStep: rowStep)
            guard let rect = verification.largestRect(around: candidate.anchor, length: MoveProbe.length, within: bounds),
                  rect.area > (best?.destination.area ?? 0) else { continue }
            best = CopyMove(destination: rect, source: Point(x: rect.x - candidate.dx, y: rect.y - candidate.dy))
        }
        return best
    }

    /// The bounds of each connected part of `region` (rectangles that overlap or touch, diagonals
    /// included). A region of very many rectangles is taken as one part, to bound the cost.
    static func connectedBounds(of region: Region) -> [Rect] {
        let rects = region.rects
        if rects.count > 512 { return rects.isEmpty ? [] : [region.bounds] }
        var parent = Array(rects.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for i in rects.indices {
            let grown = Rect(x: rects[i].x - 1, y: rects[i].y - 1, width: rects[i].width + 2, height: rects[i].height + 2)
            for j in (i + 1)..<rects.count {
                // Banded rects are sorted by y: later bands that start below this one's reach cannot touch it.
                if rects[j].minY > grown.maxY { break }
                if grown.intersects(rects[j]) { parent[root(j)] = root(i) }
            }
        }
        var bounds: [Int: Rect] = [:]
        for i in rects.indices { bounds[root(i), default: rects[i]] = bounds[root(i), default: rects[i]].union(rects[i]) }
        return Array(bounds.values)
    }
}
