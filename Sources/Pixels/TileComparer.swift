#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Geometry

/// Finds which tiles of a frame really changed, by comparing it with the frame sent before
/// (DESIGN.md: "the server refines [damage] by tile comparison"; neatvnc's damage refinery).
///
/// Sources report damage generously (a whole window, a whole plane, a toolkit's dirty rectangle);
/// encoding and sending unchanged pixels costs far more than comparing them. The frame is cut into
/// squares of `tileSize` on a grid fixed to the frame's origin; the result is the union of the
/// tiles that differ, each clipped to the hint, so it never grows past what the source reported.
///
/// The comparison runs at memcmp speed: each row of a band of tiles is compared with one memcmp
/// over the whole span of tiles not yet known to differ; where it finds a difference, the pixels
/// it has just read are scanned again (in cache) to find the tile, and memcmp goes on after it. A
/// tile found changed is not read again, and a band stops as soon as all its tiles have changed
/// (docs/benchmarks.md, "Tile comparison").
public struct TileComparer: Sendable {
    public let tileSize: Int

    public init(tileSize: Int = 64) {
        precondition(tileSize > 0, "tiles must have a positive size")
        self.tileSize = tileSize
    }

    /// The tiles that differ anywhere in the frame, for sources that report no damage.
    public func changedRegion(from previous: PixelView, to current: PixelView) -> Region {
        changedRegion(from: previous, to: current, within: Region(previous.bounds))
    }

    /// The parts of `hint` (clipped to the frame) whose tiles differ between the two frames, which
    /// must have the same size; their strides may differ.
    public func changedRegion(from previous: PixelView, to current: PixelView, within hint: Region) -> Region {
        precondition(previous.width == current.width && previous.height == current.height, "frames of different sizes")
        let area = hint.intersection(previous.bounds)
        if area.isEmpty { return Region() }
        // The same memory with the same layout cannot differ.
        if previous.base == current.base && previous.stride == current.stride { return Region() }
        var changed: [Rect] = []
        var cells: [Range<Int>] = []
        var bandStart = 0
        let rects = area.rects
        while bandStart < rects.count {
            // A band of the (canonical, banded) region: rects sharing y and height.
            var bandEnd = bandStart + 1
            while bandEnd < rects.count && rects[bandEnd].minY == rects[bandStart].minY { bandEnd += 1 }
            let top = rects[bandStart].minY, bottom = rects[bandStart].maxY
            // The band crosses rows of tiles; each crossing is compared on its own.
            var y = top
            while y < bottom {
                let rowEnd = min(bottom, (y / tileSize + 1) * tileSize)
                cells.removeAll(keepingCapacity: true)
                for r in rects[bandStart..<bandEnd] {
                    var x = r.minX
                    while x < r.maxX {
                        let end = min(r.maxX, (x / tileSize + 1) * tileSize)
                        cells.append(x..<end)
                        x = end
                    }
                }
                for span in differingCells(cells, rows: y..<rowEnd, previous: previous, current: current) {
                    changed.append(Rect(x: span.lowerBound, y: y, width: span.count, height: rowEnd - y))
                }
                y = rowEnd
            }
            bandStart = bandEnd
        }
        return Region(bandedRects: changed)
    }

    /// The cells (column spans, left to right) of one row of tiles that differ in any of `rows`.
    private func differingCells(_ cells: [Range<Int>], rows: Range<Int>, previous: PixelView, current: PixelView) -> [Range<Int>] {
        var differs = [Bool](repeating: false, count: cells.count)
        var remaining = cells.count
        // Runs of neighbouring cells not yet known to differ: each is one memcmp per row.
        var runs: [Range<Int>] = []
        Self.collectRuns(of: cells, skipping: differs, into: &runs)
        for y in rows {
            let a = previous.row(y), b = current.row(y)
            var found = false
            for run in runs {
                let end = cells[run.upperBound - 1].upperBound
                // memcmp reads the run up to its first difference; the scan that locates it then
                // runs in cache, and the rest of the run goes back to memcmp. So every pixel is
                // read from memory once, and a cell found to differ is not read any further.
                var k = run.lowerBound
                while k < run.upperBound {
                    let from = cells[k].lowerBound
                    guard memcmp(a + from, b + from, (end - from) * 4) != 0,
                          let x = RowDifference.first(a, b, in: from..<end) else { break }
                    while cells[k].upperBound <= x { k += 1 }
                    differs[k] = true
                    remaining -= 1
                    found = true
                    k += 1
                }
            }
            if remaining == 0 { break }
            if found { Self.collectRuns(of: cells, skipping: differs, into: &runs) }
        }
        var out: [Range<Int>] = []
        for k in cells.indices where differs[k] {
            if let last = out.last, last.upperBound == cells[k].lowerBound {
                out[out.count - 1] = last.lowerBound..<cells[k].upperBound
            } else {
                out.append(cells[k])
            }
        }
        return out
    }

    /// Index ranges of cells that touch each other and are not marked in `skipping`.
    private static func collectRuns(of cells: [Range<Int>], skipping: [Bool], into out: inout [Range<Int>]) {
        out.removeAll(keepingCapacity: true)
        var k = 0
        while k < cells.count {
            if skipping[k] { k += 1; continue }
            var end = k + 1
            while end < cells.count && !skipping[end] && cells[end].lowerBound == cells[end - 1].upperBound { end += 1 }
            out.append(k..<end)
            k = end
        }
    }
}
