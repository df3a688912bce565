import Geometry

/// Joins rectangles of one update that lie close together into their bounding boxes, when a box
/// adds little area, so that each cluster of changes goes as one rectangle.
///
/// Every rectangle of a FramebufferUpdate costs a 12-byte header (RFC 6143 §7.6.1), and with ZRLE
/// or Tight a compressed-data length and a zlib flush; a box that repaints a few unchanged pixels
/// costs less than that. `FramebufferUpdateEncoder.batch` already takes the whole damage's
/// bounding box when it adds at most half; this does the same per cluster, so that a typed
/// glyph the damage trimmer cut into two bands is not sent as two rectangles just because the
/// frame-number stamp in the corner keeps the whole update's box large (on the typing benchmark
/// such a frame cost 101 bytes, where Xvnc sent 70 for the glyph as one rectangle;
/// docs/benchmarks.md, "Close rectangles joined for ZRLE").
///
/// The kept rectangles stay disjoint: a box that would overlap another kept rectangle takes it in
/// too (and is judged with it), so no pixel is sent twice.
enum NeighbourMerging {
    /// Above this many rectangles the pairwise search (rectangles squared per join) is not
    /// tried, and the region's rectangles go as they are (above 256, `batch` coarsens them to
    /// tiles).
    static let maximumRectangles = 64

    /// Whether a box of `box` pixels may be sent for `damage` pixels of damage inside it: when it
    /// adds at most half of them. The one rule for the whole update's box (`batch`) and for
    /// clusters.
    @inline(__always)
    static func isWorthJoining(box: Int, damage: Int) -> Bool { box * 2 <= damage * 3 }

    /// `rects` (disjoint, as a region's) with clusters joined: two kept rectangles become their
    /// bounding box, with every other kept rectangle it meets, while that box is no larger than
    /// one and a half times the damage inside it. Repeats until no pair joins.
    static func merged(_ rects: [Rect]) -> [Rect] {
        guard rects.count > 1, rects.count <= maximumRectangles else { return rects }
        // Each kept box and the damaged area inside it.
        var kept = rects.map { (box: $0, damage: $0.area) }
        var joined = true
        while joined {
            joined = false
            search: for i in kept.indices {
                for j in kept.indices where j > i {
                    guard let merged = join(i, j, in: kept) else { continue }
                    kept = merged
                    joined = true
                    break search
                }
            }
        }
        return kept.map(\.box)
    }

    /// `kept` with `i` and `j` replaced by their box, or nil when the box (grown to take in every
    /// kept rectangle it meets) would add more than half of the damage inside it.
    private static func join(_ i: Int, _ j: Int, in kept: [(box: Rect, damage: Int)]) -> [(box: Rect, damage: Int)]? {
        var box = kept[i].box.union(kept[j].box)
        // Cheap rejection before the closure: the pair alone must qualify.
        guard isWorthJoining(box: box.area, damage: kept[i].damage + kept[j].damage) else { return nil }
        var members: Set<Int> = [i, j]
        var grew = true
        while grew {
            grew = false
            for k in kept.indices where !members.contains(k) && kept[k].box.intersects(box) {
                members.insert(k)
                box = box.union(kept[k].box)
                grew = true
            }
        }
        let damage = members.reduce(0) { $0 + kept[$1].damage }
        guard isWorthJoining(box: box.area, damage: damage) else { return nil }
        var result = kept.enumerated().filter { !members.contains($0.offset) }.map(\.element)
        result.append((box: box, damage: damage))
        return result
    }
}
