#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry
import Pixels

/// Checks, pixel for pixel, where the new frame equals the previous frame shifted by (dx, dy):
/// the proof behind every move `MoveDetector` reports (a hash match only proposes the offset).
///
/// With a `rowStep` above 1 it estimates instead: a rectangle grows by that many rows at a time,
/// checking only the last row of each step (and row by row where a step fails, so its top and
/// bottom edges are still exact). Rows in between are assumed to match. That reads an eighth of
/// the pixels at the default step, and it is enough where the move only shapes the damage of
/// viewers that take no copies (`MoveDetector.detect(exact:)`).
struct MoveVerification {
    let previous: PixelView
    let current: PixelView
    let dx: Int
    let dy: Int
    var rowStep = 1

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
        // Rows a step takes on each side: `rowStep` until a step fails there, then 1.
        var upStep = rowStep, downStep = rowStep
        var upRows = 1, downRows = 1
        while true {
            if upOpen && up == nil {
                upRows = min(upStep, top - allowed.minY)
                up = matchingRun(row: top - upRows, covering: columns, within: span)
                if up == nil && upRows > 1 { upStep = 1; continue }
                upOpen = up != nil
            }
            if downOpen && down == nil {
                downRows = min(downStep, allowed.maxY - bottom)
                down = matchingRun(row: bottom + downRows - 1, covering: columns, within: span)
                if down == nil && downRows > 1 { downStep = 1; continue }
                downOpen = down != nil
            }
            // Grow towards the side that keeps the rectangle wider.
            if let u = up, down == nil || u.count >= down!.count {
                span = u; top -= upRows; up = nil; upOpen = top > allowed.minY
                down = down?.clamped(to: span)
            } else if let d = down {
                span = d; bottom += downRows; down = nil; downOpen = bottom < allowed.maxY
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
