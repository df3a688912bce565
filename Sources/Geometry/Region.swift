/// A set of pixels, stored as non-overlapping rectangles in y-x banded order (the representation
/// X11 and pixman use): rectangles are grouped into horizontal bands of equal `y` and `height`,
/// bands are sorted top to bottom, rectangles within a band left to right and never touching, and
/// vertically adjacent bands with identical spans are merged. This canonical form makes equality
/// of regions equality of their rectangle lists.
public struct Region: Equatable, Sendable, CustomStringConvertible {
    public private(set) var rects: [Rect]

    public init() { rects = [] }
    public init(_ rect: Rect) { rects = rect.isEmpty ? [] : [rect] }
    public init<S: Sequence>(rects: S) where S.Element == Rect {
        var r = Region()
        for rect in rects { r.formUnion(rect) }
        self = r
    }

    /// A region from rectangles already in banded order, built in one pass: rows of rectangles
    /// sorted top to bottom, each row sharing `y` and `height` and sorted left to right without
    /// overlap, rows not overlapping each other (what a tile comparison produces row by row).
    /// Rectangles that touch in a row are joined and equal neighbouring rows merged, so the result
    /// is canonical. Input in any other order gives the same region, through the general union.
    public init<S: Sequence>(bandedRects input: S) where S.Element == Rect {
        let all = Array(input)
        self = Region.joiningBands(all) ?? Region(rects: all)
    }

    public var isEmpty: Bool { rects.isEmpty }
    /// Pixels covered.
    public var area: Int { rects.reduce(0) { $0 + $1.area } }
    /// The bounding rectangle (`.zero` when empty).
    public var bounds: Rect { rects.reduce(Rect.zero) { $0.union($1) } }

    public func contains(_ p: Point) -> Bool { rects.contains { $0.contains(p) } }
    /// True when every pixel of `r` is in the region.
    public func contains(_ r: Rect) -> Bool { Region(r).subtracting(self).isEmpty }

    public func union(_ other: Region) -> Region { Region.combine(self, other, .union) }
    public func intersection(_ other: Region) -> Region { Region.combine(self, other, .intersection) }
    public func subtracting(_ other: Region) -> Region { Region.combine(self, other, .subtraction) }
    public func union(_ r: Rect) -> Region { union(Region(r)) }
    public func intersection(_ r: Rect) -> Region { intersection(Region(r)) }
    public func subtracting(_ r: Rect) -> Region { subtracting(Region(r)) }

    public mutating func formUnion(_ other: Region) { self = union(other) }
    public mutating func formUnion(_ r: Rect) {
        if r.isEmpty { return }
        guard let last = rects.last else { rects = [r]; return }
        if r.minY >= last.maxY {
            // Below every band (a region built top to bottom): a band of its own, or the last
            // band grown when that band is one rectangle with the same x range.
            let lastBandIsOneRect = rects.count == 1 || rects[rects.count - 2].minY != last.minY
            if r.minY == last.maxY && lastBandIsOneRect && last.minX == r.minX && last.maxX == r.maxX {
                rects[rects.count - 1].height += r.height
            } else {
                rects.append(r)
            }
            return
        }
        self = union(Region(r))
    }
    public mutating func formIntersection(_ r: Rect) { self = intersection(r) }
    public mutating func subtract(_ other: Region) { self = subtracting(other) }
    public mutating func subtract(_ r: Rect) { self = subtracting(r) }

    /// The rectangles of the band that holds row `y`, left to right (each spans the whole band,
    /// so its x range is the region's in that row); empty when no rectangle covers the row. A
    /// binary search over the bands: for code that walks a region row by row, where intersecting
    /// with a one-row rectangle would build a new region per row (`MoveProbe` did that for up to
    /// 240 rows a frame, 9% of the server's CPU on full-screen motion).
    public func band(containingRow y: Int) -> ArraySlice<Rect> {
        // Bands are sorted and never overlap, and all rectangles of a band end on the same row, so
        // "ends at or above y" holds for a prefix of `rects`: the first that ends below y starts
        // the only band that can hold it.
        var low = 0, high = rects.count
        while low < high {
            let middle = (low + high) / 2
            if rects[middle].maxY <= y { low = middle + 1 } else { high = middle }
        }
        guard low < rects.count, rects[low].minY <= y else { return [] }
        var end = low + 1
        while end < rects.count && rects[end].minY == rects[low].minY { end += 1 }
        return rects[low..<end]
    }

    public func translated(dx: Int, dy: Int) -> Region {
        var out = Region()
        out.rects = rects.map { $0.offsetBy(dx: dx, dy: dy) }
        return out
    }

    public var description: String { "Region(" + rects.map(\.description).joined(separator: ", ") + ")" }

    // MARK: - Banded input

    /// The canonical region of rectangles in banded order (see `init(bandedRects:)`), or nil when
    /// they are not in that order.
    private static func joiningBands(_ input: [Rect]) -> Region? {
        var out: [Rect] = []
        out.reserveCapacity(input.count)
        var bandStart = 0           // index in `out` of the current band's first rect
        var previousBand = 0..<0    // the band above it, in `out`
        // Merges the band that just ended into the one above when they touch and have equal spans.
        func closeBand() {
            let band = bandStart..<out.count
            guard !band.isEmpty else { return }
            guard band.count == previousBand.count, !previousBand.isEmpty,
                  out[previousBand.lowerBound].maxY == out[band.lowerBound].minY,
                  zip(out[previousBand], out[band]).allSatisfy({ $0.minX == $1.minX && $0.maxX == $1.maxX }) else {
                previousBand = band
                return
            }
            let grown = out[band.lowerBound].height
            for k in previousBand { out[k].height += grown }
            out.removeSubrange(band)
        }
        for r in input where !r.isEmpty {
            if bandStart < out.count, let last = out.last, last.minY == r.minY {
                guard last.height == r.height, r.minX >= last.maxX else { return nil }
                if r.minX == last.maxX { out[out.count - 1].width += r.width } else { out.append(r) }
                continue
            }
            if let last = out.last, r.minY < last.maxY { return nil }
            closeBand()
            bandStart = out.count
            out.append(r)
        }
        closeBand()
        var region = Region()
        region.rects = out
        return region
    }

    // MARK: - Band sweep

    /// The set operation of `combine`: which pixels of the two operands the result keeps.
    private enum Operation {
        case union, intersection, subtraction

        @inline(__always) func keeps(_ inA: Bool, _ inB: Bool) -> Bool {
            switch self {
            case .union: return inA || inB
            case .intersection: return inA && inB
            case .subtraction: return inA && !inB
            }
        }
    }

    /// The band sweep (the one X11's and pixman's regions use): walk both operands' bands top to
    /// bottom, cut them where either band starts or ends, merge the spans of the two bands that
    /// cover each slice with `operation`, and grow the band above instead when the slice's spans
    /// equal it. The rectangles are written straight into the result: the damage of a frame goes
    /// through a few hundred region operations, and a version that built arrays of spans per band
    /// made three quarters of the server's allocations on the typing benchmark.
    private static func combine(_ a: Region, _ b: Region, _ operation: Operation) -> Region {
        switch operation {
        case .union:
            if a.isEmpty { return b }
            if b.isEmpty { return a }
        case .intersection:
            if a.isEmpty || b.isEmpty || !a.bounds.intersects(b.bounds) { return Region() }
        case .subtraction:
            if a.isEmpty || b.isEmpty || !a.bounds.intersects(b.bounds) { return a }
        }
        let ar = a.rects, br = b.rects
        var out: [Rect] = []
        out.reserveCapacity(ar.count + br.count)
        var ia = 0, ib = 0                              // first rectangle of each operand's band
        var y = min(ar[0].minY, br[0].minY)
        var previousBand = 0..<0                         // the last band written, in `out`
        while ia < ar.count || ib < br.count {
            // Bands entirely above `y` are done.
            if ia < ar.count && ar[ia].maxY <= y { ia = bandEnd(ar, from: ia) }
            if ib < br.count && br[ib].maxY <= y { ib = bandEnd(br, from: ib) }
            guard ia < ar.count || ib < br.count else { break }
            // The slice ends where an active band ends or the next band starts.
            let (inA, inB, sliceEnd) = sweepStep(at: y, ia < ar.count ? ar[ia].minY..<ar[ia].maxY : nil,
                                                 ib < br.count ? br[ib].minY..<br[ib].maxY : nil)
            defer { y = sliceEnd }
            guard inA || inB, operation.keeps(inA, inB) || (inA && inB) else {
                continue
            }
            let first = out.count
            mergeSpans(ar, inA ? ia..<bandEnd(ar, from: ia) : 0..<0,
                       br, inB ? ib..<bandEnd(br, from: ib) : 0..<0,
                       operation, top: y, height: sliceEnd - y, into: &out)
            let band = first..<out.count
            if band.isEmpty { continue }
            if !previousBand.isEmpty, out[previousBand.lowerBound].maxY == y,
               sameSpans(out, previousBand, band) {
                let grown = sliceEnd - y
                for k in previousBand { out[k].height += grown }
                out.removeSubrange(band)
            } else {
                previousBand = band
            }
        }
        var r = Region()
        r.rects = out
        return r
    }

    /// The index just past the band that starts at `start` (its rectangles share `minY`).
    @inline(__always) private static func bandEnd(_ rects: [Rect], from start: Int) -> Int {
        let top = rects[start].minY
        var i = start + 1
        while i < rects.count && rects[i].minY == top { i += 1 }
        return i
    }

    /// Appends the spans of one slice: the x ranges where `operation` keeps the pixels of
    /// `a[aBand]` and `b[bBand]` (each sorted left to right, not touching), as rectangles from
    /// row `top` of `height` rows. Touching kept segments are joined, so the band is canonical.
    private static func mergeSpans(_ a: [Rect], _ aBand: Range<Int>, _ b: [Rect], _ bBand: Range<Int>,
                                   _ operation: Operation, top: Int, height: Int, into out: inout [Rect]) {
        let bandStart = out.count
        var i = aBand.lowerBound, j = bBand.lowerBound
        var x = Int.min
        while true {
            while i < aBand.upperBound && a[i].maxX <= x { i += 1 }
            while j < bBand.upperBound && b[j].maxX <= x { j += 1 }
            guard i < aBand.upperBound || j < bBand.upperBound else { return }
            let (inA, inB, next) = sweepStep(at: x, i < aBand.upperBound ? a[i].minX..<a[i].maxX : nil,
                                             j < bBand.upperBound ? b[j].minX..<b[j].maxX : nil)
            if (inA || inB) && operation.keeps(inA, inB) {
                if out.count > bandStart && out[out.count - 1].maxX == x {
                    out[out.count - 1].width += next - x
                } else {
                    out.append(Rect(x: x, y: top, width: next - x, height: height))
                }
            }
            x = next
        }
    }

    /// One step of a sweep along one axis over two operands, each standing at its next interval
    /// (nil when it has none left; intervals already passed are skipped by the caller): whether
    /// `position` is inside each, and where the next boundary is (the end of an interval it is
    /// inside, or the start of one ahead). The band sweep (rows) and the span merge (columns)
    /// both step this way.
    @inline(__always) private static func sweepStep(at position: Int, _ a: Range<Int>?, _ b: Range<Int>?)
        -> (inA: Bool, inB: Bool, next: Int) {
        let inA = a.map { $0.lowerBound <= position } ?? false
        let inB = b.map { $0.lowerBound <= position } ?? false
        var next = Int.max
        if let a { next = min(next, inA ? a.upperBound : a.lowerBound) }
        if let b { next = min(next, inB ? b.upperBound : b.lowerBound) }
        return (inA, inB, next)
    }

    /// Whether two bands of `rects` have the same x ranges.
    private static func sameSpans(_ rects: [Rect], _ p: Range<Int>, _ q: Range<Int>) -> Bool {
        guard p.count == q.count else { return false }
        for k in 0..<p.count where rects[p.lowerBound + k].minX != rects[q.lowerBound + k].minX
            || rects[p.lowerBound + k].maxX != rects[q.lowerBound + k].maxX {
            return false
        }
        return true
    }
}
