#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry

/// Shrinks changed tiles to the pixels that really differ, for viewers that are sent pixels only.
///
/// `TileComparer` stops reading a tile at its first difference, so its answer is whole 64x64
/// tiles. Text that scrolls or is typed changes only some rows of a tile (the ink of each line;
/// the gaps between lines and the margins stay the same), and every unchanged row in a sent tile
/// is encoded, compressed and decoded for nothing. Xvnc sends such damage pixel-exact, and on the
/// scrolling benchmark that was most of the bytes Porthole sent beyond it (docs/benchmarks.md,
/// "Pixel-exact damage").
///
/// Each rectangle of the changed tiles (a run of neighbouring changed tiles) is read again row by
/// row: a row that differs contributes its first and last differing column. Neighbouring
/// differing rows form a run, kept as one rectangle as wide as its widest row; up to `mergedGap`
/// identical rows between two differing ones stay inside the run, since a rectangle of its own
/// costs a header and a compressed-data length. Working on whole runs of tiles rather than tile by
/// tile keeps a line of text one rectangle instead of one per tile it crosses.
///
/// A cut into more than `maximumRectangles` pieces is given up and the tiles returned as they
/// are: `FramebufferUpdateEncoder` coarsens so many rectangles back to tiles anyway, and building
/// a region from thousands of them would cost more than the encoding it could save.
public struct ChangedPixelTrimmer: Sendable {
    public let mergedGap: Int
    public static let maximumRectangles = 256

    public init(mergedGap: Int = 2) {
        precondition(mergedGap >= 0, "the gap must not be negative")
        self.mergedGap = mergedGap
    }

    /// The pixels of `tiles` (clipped to the frames, which must have the same size) that differ
    /// between `previous` and `current`, as a region no larger than `tiles` (and `tiles` itself,
    /// clipped, when the cut would need more than `maximumRectangles` rectangles).
    public func changedPixels(in tiles: Region, from previous: PixelView, to current: PixelView) -> Region {
        precondition(previous.width == current.width && previous.height == current.height, "frames of different sizes")
        if previous.base == current.base && previous.stride == current.stride { return Region() }
        var runs: [Rect] = []
        let area = tiles.intersection(previous.bounds)
        for rect in area.rects {
            collectRuns(in: rect, previous: previous, current: current, into: &runs)
            if runs.count > Self.maximumRectangles { return area }
        }
        runs.sort { $0.minY != $1.minY ? $0.minY < $1.minY : $0.minX < $1.minX }
        return Region(bandedRects: runs)
    }

    private func collectRuns(in rect: Rect, previous: PixelView, current: PixelView, into runs: inout [Rect]) {
        var open: (minX: Int, maxX: Int, minY: Int)?
        var lastDifferingRow = 0
        let from = rect.minX, count = rect.width
        for y in rect.minY..<rect.maxY {
            let a = previous.row(y), b = current.row(y)
            guard memcmp(a + from, b + from, count * 4) != 0,
                  let first = RowDifference.first(a, b, in: from..<rect.maxX),
                  let last = RowDifference.last(a, b, in: first..<rect.maxX) else { continue }
            if let run = open, y - lastDifferingRow - 1 <= mergedGap {
                open = (min(run.minX, first), max(run.maxX, last + 1), run.minY)
            } else {
                if let run = open { runs.append(Rect(x: run.minX, y: run.minY, width: run.maxX - run.minX, height: lastDifferingRow + 1 - run.minY)) }
                open = (first, last + 1, y)
            }
            lastDifferingRow = y
        }
        if let run = open { runs.append(Rect(x: run.minX, y: run.minY, width: run.maxX - run.minX, height: lastDifferingRow + 1 - run.minY)) }
    }
}
