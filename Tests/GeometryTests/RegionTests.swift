import Testing
import PortholeTestSupport
@testable import Geometry

/// Regions are checked against a brute-force pixel set on small grids.
struct RegionTests {
    private func pixels(_ r: Region) -> Set<Point> {
        var s = Set<Point>()
        for rect in r.rects { for y in rect.minY..<rect.maxY { for x in rect.minX..<rect.maxX { s.insert(Point(x: x, y: y)) } } }
        return s
    }
    private func pixels(_ rects: [Rect]) -> Set<Point> { rects.reduce(into: Set<Point>()) { $0.formUnion(pixels(Region($1))) } }

    private func isCanonical(_ r: Region) -> Bool {
        // No overlaps, sorted by (y, x), bands share y/height, no touching rects in a band.
        for (i, a) in r.rects.enumerated() {
            for b in r.rects[(i + 1)...] where a.intersects(b) { return false }
            if i > 0 {
                let p = r.rects[i - 1]
                if p.minY == a.minY { if p.height != a.height || p.maxX >= a.minX { return false } }
                else if p.minY > a.minY { return false }
            }
        }
        // Touching bands with the same x ranges are one band.
        let bands = Dictionary(grouping: r.rects, by: \.minY).values.map { $0.sorted { $0.minX < $1.minX } }
        for upper in bands {
            for lower in bands where lower[0].minY == upper[0].maxY
                && lower.map(\.minX) == upper.map(\.minX) && lower.map(\.maxX) == upper.map(\.maxX) {
                return false
            }
        }
        return true
    }

    @Test func unionIntersectSubtractMatchPixelSets() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<300 {
            func randomRects() -> [Rect] {
                (0..<Int(rng.next() % 5)).map { _ in
                    Rect(x: Int(rng.next() % 20), y: Int(rng.next() % 20), width: Int(rng.next() % 10), height: Int(rng.next() % 10))
                }
            }
            let ra = randomRects(), rb = randomRects()
            let a = Region(rects: ra), b = Region(rects: rb)
            let pa = pixels(ra), pb = pixels(rb)
            #expect(pixels(a) == pa)
            #expect(pixels(a.union(b)) == pa.union(pb))
            #expect(pixels(a.intersection(b)) == pa.intersection(pb))
            #expect(pixels(a.subtracting(b)) == pa.subtracting(pb))
            #expect(isCanonical(a.union(b)) && isCanonical(a.subtracting(b)) && isCanonical(a.intersection(b)))
            #expect(a.union(b) == b.union(a), "canonical form makes equal sets equal values")
            #expect(a.area == pa.count)
        }
    }

    /// Larger operands, with many bands and spans per band, and rectangles added top to bottom
    /// (the path that appends a band without a sweep), also against the pixel sets.
    @Test func manyBandsAndTopToBottomGrowthMatchPixelSets() {
        var rng = SplitMix(seed: 7)
        for round in 0..<150 {
            func randomRects(_ count: Int, size: UInt64) -> [Rect] {
                (0..<count).map { _ in
                    Rect(x: Int(rng.next() % 40), y: Int(rng.next() % 40),
                         width: Int(rng.next() % size), height: Int(rng.next() % size))
                }
            }
            var ra = randomRects(3 + round % 20, size: 12)
            if round % 3 == 0 { ra.sort { ($0.minY, $0.minX) < ($1.minY, $1.minX) } }
            let rb = randomRects(1 + round % 7, size: 25)
            let a = Region(rects: ra), b = Region(rects: rb)
            let pa = pixels(ra), pb = pixels(rb)
            #expect(pixels(a) == pa)
            #expect(isCanonical(a))
            for (result, expected) in [(a.union(b), pa.union(pb)), (a.intersection(b), pa.intersection(pb)),
                                       (a.subtracting(b), pa.subtracting(pb)), (b.subtracting(a), pb.subtracting(pa))] {
                #expect(pixels(result) == expected)
                #expect(isCanonical(result))
            }
            #expect(a.union(b) == b.union(a))
            #expect(a.intersection(b) == b.intersection(a))
        }
    }

    /// Rows added one under another grow one rectangle while their x range stays the same, and
    /// start a band of their own when it changes or a gap is left.
    @Test func rowsAddedTopToBottomStayCanonical() {
        var r = Region()
        for y in 0..<5 { r.formUnion(Rect(x: 2, y: y, width: 3, height: 1)) }
        #expect(r.rects == [Rect(x: 2, y: 0, width: 3, height: 5)])
        r.formUnion(Rect(x: 2, y: 6, width: 3, height: 1))
        r.formUnion(Rect(x: 0, y: 7, width: 3, height: 1))
        #expect(r.rects == [Rect(x: 2, y: 0, width: 3, height: 5), Rect(x: 2, y: 6, width: 3, height: 1),
                            Rect(x: 0, y: 7, width: 3, height: 1)])
        var twoSpans = Region(rects: [Rect(x: 0, y: 0, width: 2, height: 2), Rect(x: 5, y: 0, width: 2, height: 2)])
        twoSpans.formUnion(Rect(x: 0, y: 2, width: 2, height: 1))
        #expect(twoSpans.rects.count == 3)
        #expect(isCanonical(twoSpans))
    }

    /// The band holding a row is that row of the region: the same spans as intersecting the
    /// region with the one-row rectangle, for every row above, inside and below it.
    @Test func theBandOfARowIsTheRegionsSpansInThatRow() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let rects = (0..<Int(rng.next() % 8)).map { _ in
                Rect(x: Int(rng.next() % 30), y: Int(rng.next() % 30), width: Int(rng.next() % 12), height: Int(rng.next() % 12))
            }
            let region = Region(rects: rects)
            for y in -2..<45 {
                let row = region.intersection(Rect(x: -5, y: y, width: 60, height: 1))
                let band = region.band(containingRow: y)
                #expect(band.map { Rect(x: $0.minX, y: y, width: $0.width, height: 1) } == row.rects, "row \(y) of \(region)")
                #expect(band.allSatisfy { $0.minY <= y && y < $0.maxY })
            }
        }
        #expect(Region().band(containingRow: 0).isEmpty)
    }

    @Test func emptyAndBounds() {
        #expect(Region().isEmpty)
        #expect(Region(Rect(x: 1, y: 1, width: 0, height: 5)).isEmpty)
        let r = Region(rects: [Rect(x: 0, y: 0, width: 2, height: 2), Rect(x: 10, y: 5, width: 1, height: 1)])
        #expect(r.bounds == Rect(x: 0, y: 0, width: 11, height: 6))
        #expect(r.contains(Point(x: 10, y: 5)) && !r.contains(Point(x: 5, y: 5)))
    }

    @Test func adjacentRectsMergeIntoOne() {
        let r = Region(rects: [Rect(x: 0, y: 0, width: 4, height: 2), Rect(x: 0, y: 2, width: 4, height: 3), Rect(x: 4, y: 0, width: 1, height: 5)])
        #expect(r.rects == [Rect(x: 0, y: 0, width: 5, height: 5)])
    }

    @Test func tilesCoverRectExactly() {
        let r = Rect(x: 3, y: 5, width: 63, height: 65)
        let tiles = r.tiles(width: 16, height: 16)
        #expect(tiles.count == 4 * 5)
        #expect(Region(rects: tiles) == Region(r))
        #expect(tiles.allSatisfy { $0.width <= 16 && $0.height <= 16 })
    }
}
