#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry
import Pixels

/// Checks, pixel for pixel, where the new frame equals the previous frame shifted by (dx, dy):
/// the proof behind every move `MoveDetector` reports (a hash match only proposes the offset).
struct MoveVerification {
    let previous: PixelView
    let current: PixelView
    let dx: Int
    let dy: Int

    /// The run of columns of row `y` of the new frame, containing `columns` and inside `limit`,
    /// where each pixel equals the previous frame's at the offset; nil when `columns` differs.
    /// The callers keep the source row and columns inside the frame.
    func matchingRun(row y: Int, covering columns: Range<Int>, within limit: Range<Int>) -> Range<Int>? {
        let new = current.row(y), old = previous.row(y - dy)
        if memcmp(new + limit.lowerBound, old + (limit.lowerBound - dx), limit.count * 4) == 0 { return limit }
        guard memcmp(new + columns.lowerBound, old + (columns.lowerBound - dx), columns.count * 4) == 0 else { return nil }
        var l = columns.lowerBound
        while l > limit.lowerBound && new[l - 1] == old[l - 1 - dx] { l -= 1 }
        var r = columns.upperBound
        while r < limit.upperBound && new[r] == old[r - dx] { r += 1 }
        return l..<r
    }

    /// The largest rectangle (found greedily, row by row up and down from the anchor) that contains
    /// the `length` pixels at `anchor`, lies in `bounds` with its source, and equals the previous
    /// frame at the offset in every pixel; nil when the anchor itself does not.
    func largestRect(around anchor: Point, length: Int, within bounds: Rect) -> Rect? {
        let allowed = bounds.intersection(bounds.offsetBy(dx: dx, dy: dy))
        let columns = anchor.x..<(anchor.x + length)
        guard allowed.contains(Rect(x: anchor.x, y: anchor.y, width: length, height: 1)),
              var span = matchingRun(row: anchor.y, covering: columns, within: allowed.minX..<allowed.maxX) else { return nil }
        var top = anchor.y, bottom = anchor.y + 1
        var best = Rect(x: span.lowerBound, y: top, width: span.count, height: 1)
        var upOpen = top > allowed.minY, downOpen = bottom < allowed.maxY
        // The runs of the next row above and below, within the current span (kept until used).
        var up: Range<Int>?, down: Range<Int>?
        while true {
            if upOpen && up == nil {
                up = matchingRun(row: top - 1, covering: columns, within: span)
                upOpen = up != nil
            }
            if downOpen && down == nil {
                down = matchingRun(row: bottom, covering: columns, within: span)
                downOpen = down != nil
            }
            // Grow towards the side that keeps the rectangle wider.
            if let u = up, down == nil || u.count >= down!.count {
                span = u; top -= 1; up = nil; upOpen = top > allowed.minY
                down = down?.clamped(to: span)
            } else if let d = down {
                span = d; bottom += 1; down = nil; downOpen = bottom < allowed.maxY
                up = up?.clamped(to: span)
            } else {
                break
            }
            if span.count * (bottom - top) > best.area {
                best = Rect(x: span.lowerBound, y: top, width: span.count, height: bottom - top)
            }
        }
        return best
    }
}
