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

    public func union(_ other: Region) -> Region { Region.combine(self, other) { $0 || $1 } }
    public func intersection(_ other: Region) -> Region { Region.combine(self, other) { $0 && $1 } }
    public func subtracting(_ other: Region) -> Region { Region.combine(self, other) { $0 && !$1 } }
    public func union(_ r: Rect) -> Region { union(Region(r)) }
    public func intersection(_ r: Rect) -> Region { intersection(Region(r)) }
    public func subtracting(_ r: Rect) -> Region { subtracting(Region(r)) }

    public mutating func formUnion(_ other: Region) { self = union(other) }
    public mutating func formUnion(_ r: Rect) {
        if r.isEmpty { return }
        if rects.isEmpty { rects = [r]; return }
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

    /// Horizontal spans `[start, end)` of one band.
    private typealias Spans = [(start: Int, end: Int)]

    /// The generic band sweep: cut both regions at every band edge, combine the spans of each band
    /// with `keep`, and merge equal neighbouring bands.
    private static func combine(_ a: Region, _ b: Region, keep: (Bool, Bool) -> Bool) -> Region {
        if a.isEmpty && b.isEmpty { return Region() }
        var edges: [Int] = []
        edges.reserveCapacity(2 * (a.rects.count + b.rects.count))
        for r in a.rects { edges.append(r.minY); edges.append(r.maxY) }
        for r in b.rects { edges.append(r.minY); edges.append(r.maxY) }
        edges.sort()
        var uniqueEdges: [Int] = []
        uniqueEdges.reserveCapacity(edges.count)
        for e in edges where uniqueEdges.last != e { uniqueEdges.append(e) }

        var out: [Rect] = []
        var ia = 0, ib = 0
        var previous: (minY: Int, maxY: Int, spans: Spans, firstIndex: Int)? = nil
        for i in 0..<(uniqueEdges.count - 1) {
            let y0 = uniqueEdges[i], y1 = uniqueEdges[i + 1]
            while ia < a.rects.count && a.rects[ia].maxY <= y0 { ia += 1 }
            while ib < b.rects.count && b.rects[ib].maxY <= y0 { ib += 1 }
            let sa = spans(of: a.rects, from: ia, at: y0)
            let sb = spans(of: b.rects, from: ib, at: y0)
            let combined = combineSpans(sa, sb, keep: keep)
            if combined.isEmpty { previous = nil; continue }
            if let p = previous, p.maxY == y0, spansEqual(p.spans, combined) {
                // Extend the previous band downwards.
                for k in p.firstIndex..<out.count { out[k].height += y1 - y0 }
                previous = (p.minY, y1, p.spans, p.firstIndex)
            } else {
                let first = out.count
                for s in combined { out.append(Rect(x: s.start, y: y0, width: s.end - s.start, height: y1 - y0)) }
                previous = (y0, y1, combined, first)
            }
        }
        var r = Region()
        r.rects = out
        return r
    }

    /// Spans of the band of `rects` (banded, sorted) that covers row `y`, scanning from `start`.
    private static func spans(of rects: [Rect], from start: Int, at y: Int) -> Spans {
        var out: Spans = []
        var i = start
        while i < rects.count && rects[i].minY <= y {
            let r = rects[i]
            if r.maxY > y { out.append((r.minX, r.maxX)) }
            i += 1
        }
        return out
    }

    private static func combineSpans(_ a: Spans, _ b: Spans, keep: (Bool, Bool) -> Bool) -> Spans {
        var xs: [Int] = []
        xs.reserveCapacity(2 * (a.count + b.count))
        for s in a { xs.append(s.start); xs.append(s.end) }
        for s in b { xs.append(s.start); xs.append(s.end) }
        xs.sort()
        var out: Spans = []
        var ia = 0, ib = 0
        var i = 0
        while i < xs.count - 1 {
            let x = xs[i], next = xs[i + 1]
            i += 1
            if next == x { continue }
            // Membership of the segment [x, next) in each operand.
            while ia < a.count && a[ia].end <= x { ia += 1 }
            while ib < b.count && b[ib].end <= x { ib += 1 }
            let inA = ia < a.count && a[ia].start <= x
            let inB = ib < b.count && b[ib].start <= x
            guard keep(inA, inB) else { continue }
            if let last = out.last, last.end == x {
                out[out.count - 1].end = next
            } else {
                out.append((x, next))
            }
        }
        return out
    }

    private static func spansEqual(_ a: Spans, _ b: Spans) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.start == $1.start && $0.end == $1.end }
    }
}
