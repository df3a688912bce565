import Geometry

/// What one consumer (a viewer) has not yet been sent: at most one pending move plus a damage
/// region. Frames that arrive while an update is in flight are merged here, never queued, so a slow
/// viewer costs a bounded amount of memory whatever the source does (DESIGN.md, "frame bus").
///
/// The rules keep the viewer's picture exact:
/// - a move may only be sent as a copy where the viewer already holds the source pixels, i.e. where
///   the source is not itself pending damage; the rest of its destination becomes damage;
/// - a second move with another offset, or a move only partly taken, turns the older one into
///   damage (pixels are always correct; copies are an optimisation);
/// - damage inside a copied destination that happened before the move is dropped, because the copy
///   overwrites it.
public struct PendingUpdate: Sendable {
    public struct Move: Sendable, Equatable {
        public var region: Region
        public var dx: Int
        public var dy: Int
    }

    public private(set) var bounds: Rect
    public private(set) var move: Move?
    public private(set) var damage: Region

    public init(bounds: Rect) {
        self.bounds = bounds
        move = nil
        damage = Region()
    }

    public var isEmpty: Bool { move == nil && damage.isEmpty }

    /// Adds one frame's changes.
    public mutating func add(_ change: FrameDamage) {
        for m in change.moves { add(m) }
        if !change.region.isEmpty { damage.formUnion(change.region.intersection(bounds)) }
    }

    /// Marks `region` as needing pixels (a full-update request, for instance).
    public mutating func addDamage(_ region: Region) { damage.formUnion(region.intersection(bounds)) }

    /// Starts over for a new framebuffer size: everything is damaged and nothing can be copied.
    public mutating func reset(bounds newBounds: Rect) {
        bounds = newBounds
        move = nil
        damage = Region(newBounds)
    }

    private mutating func add(_ m: CopyMove) {
        let dx = m.dx, dy = m.dy
        if dx == 0 && dy == 0 { return }
        // Only destinations whose source lies inside the framebuffer can be copied.
        let destination = Region(m.destination.intersection(bounds).intersection(bounds.offsetBy(dx: dx, dy: dy)))
        let uncopyable = Region(m.destination.intersection(bounds)).subtracting(destination)
        damage.formUnion(uncopyable)
        if destination.isEmpty { return }
        if let old = move {
            damage.formUnion(old.region)
            move = nil
        }
        let stale = damage.translated(dx: dx, dy: dy).intersection(destination)
        let copyable = destination.subtracting(stale)
        damage.subtract(copyable)
        damage.formUnion(stale)
        if !copyable.isEmpty { move = Move(region: copyable, dx: dx, dy: dy) }
    }

    /// Takes what should be sent for a request covering `requested`: the copies (in an order that
    /// is safe to apply one after another) and the damage inside `requested`. Damage outside it
    /// stays pending; a move outside it turns into damage.
    public mutating func take(requested: Region) -> (copies: [CopyMove], damage: Region) {
        var copies: [CopyMove] = []
        if let m = move {
            let sent = m.region.intersection(requested)
            damage.formUnion(m.region.subtracting(sent))
            move = nil
            copies = Self.orderedCopies(sent, dx: m.dx, dy: m.dy)
        }
        let taken = damage.intersection(requested)
        damage.subtract(taken)
        return (copies, taken)
    }

    /// Orders the rectangles of a moved region so that no rectangle's source has already been
    /// overwritten by an earlier one: bottom-up when moving down, right-to-left when moving right.
    static func orderedCopies(_ region: Region, dx: Int, dy: Int) -> [CopyMove] {
        var bands: [[Rect]] = []
        for r in region.rects {
            if let last = bands.last?.last, last.minY == r.minY { bands[bands.count - 1].append(r) } else { bands.append([r]) }
        }
        if dy > 0 { bands.reverse() }
        if dx > 0 { bands = bands.map { $0.reversed() } }
        return bands.flatMap { $0 }.map { CopyMove(destination: $0, source: Point(x: $0.x - dx, y: $0.y - dy)) }
    }
}
