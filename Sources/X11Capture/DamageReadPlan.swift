import Geometry

/// Which rectangles to read from the X server for a frame's damage.
///
/// Every read is a request the X server answers (a frame's reads are sent together, one round
/// trip for all, but each costs the server a request and a copy of its pixels), so many small
/// rectangles are better read as fewer larger ones; but a larger read copies pixels that did not
/// change. Two rectangles are read as their bounding box when that adds at most `slack` pixels to
/// what they cover (text typed along a line, a clock's digits), and a frame with more than
/// `maximumReads` reads left is read as the bounding box of all.
///
/// The damage reported is everything read (`region`), not only what DAMAGE reported: the reads
/// happen after the damage events were taken, so a client drawing meanwhile inside a merged read's
/// extra pixels has its drawing read into this frame, while its damage comes with the next one.
/// The output compares each frame's damage with the previous frame (`DamageRefinery`) and would
/// find those pixels unchanged then, so unless this frame reports them no viewer ever gets them.
/// The refinery shrinks the extra pixels that did not change back to nothing, so reporting them
/// costs a tile comparison, not bytes.
public struct DamageReadPlan: Equatable, Sendable {
    /// The damage to report: every pixel the reads overwrite (DAMAGE's region and the extra pixels
    /// of merged reads).
    public var region: Region
    public var reads: [Rect]

    public init(damage rects: [Rect], bounds: Rect, slack: Int = 4096, maximumReads: Int = 32) {
        let clipped = rects.map { $0.intersection(bounds) }.filter { !$0.isEmpty }
        let region = Region(rects: clipped)
        // The pairwise merge is quadratic per pass; a region this fragmented is read whole.
        var boxes = region.rects.count > 8 * maximumReads ? [region.bounds] : region.rects
        var merged = true
        while merged && boxes.count > 1 {
            merged = false
            outer: for i in 0..<boxes.count {
                for j in (i + 1)..<boxes.count {
                    let joined = boxes[i].union(boxes[j])
                    if joined.area - boxes[i].area - boxes[j].area + boxes[i].intersection(boxes[j]).area <= slack {
                        boxes[i] = joined
                        boxes.remove(at: j)
                        merged = true
                        break outer
                    }
                }
            }
        }
        if boxes.count > maximumReads { boxes = [region.bounds] }
        reads = boxes
        self.region = Region(rects: boxes)
    }
}
