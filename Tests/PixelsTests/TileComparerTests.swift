import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// The tile comparer against a brute-force model: every differing pixel inside the hint is
/// reported, nothing outside the hint or in an unchanged tile is, on frames whose sizes are not
/// multiples of the tile size and with rows padded beyond the width.
struct TileComparerTests {
    private let tile = 16

    /// The tile of the grid (fixed to the frame's origin) that holds `p`, clipped to `bounds`.
    private func tile(of p: Point, in bounds: Rect) -> Rect {
        Rect(x: p.x / tile * tile, y: p.y / tile * tile, width: tile, height: tile).intersection(bounds)
    }

    private func compare(_ a: PixelBuffer, _ b: PixelBuffer, within hint: Region? = nil) -> Region {
        let comparer = TileComparer(tileSize: tile)
        return a.withView { old in b.withView { new in
            hint.map { comparer.changedRegion(from: old, to: new, within: $0) } ?? comparer.changedRegion(from: old, to: new)
        } }
    }

    @Test func equalFramesInSeparateMemoryHaveNoChanges() {
        let a = TestImages.random(width: 100, height: 70, seed: 1)
        var b = PixelBuffer(width: 100, height: 70)
        b.pixels = a.pixels.map { $0 }  // a separate array with the same pixels
        #expect(compare(a, b).isEmpty)
        #expect(compare(a, b, within: Region(Rect(x: 3, y: 5, width: 40, height: 50))).isEmpty)
        #expect(compare(a, a).isEmpty)
    }

    @Test func onePixelAtEveryTileEdgeFindsExactlyItsTile() {
        let a = TestImages.random(width: 100, height: 70, seed: 2)
        var points: [Point] = []
        for ty in stride(from: 0, to: 70, by: tile) {
            for tx in stride(from: 0, to: 100, by: tile) {
                for (dx, dy) in [(0, 0), (tile - 1, 0), (0, tile - 1), (tile - 1, tile - 1)] {
                    points.append(Point(x: min(99, tx + dx), y: min(69, ty + dy)))
                }
            }
        }
        for p in points {
            var b = a
            b[p.x, p.y] ^= 0x000100
            #expect(compare(a, b) == Region(tile(of: p, in: a.bounds)), "pixel \(p)")
            // A hint that covers the pixel keeps only the part of its tile inside the hint.
            let hint = Region(Rect(x: p.x - 3, y: p.y - 2, width: 7, height: 5))
            #expect(compare(a, b, within: hint) == hint.intersection(tile(of: p, in: a.bounds)), "pixel \(p) with a hint")
            // A hint that misses it finds nothing.
            #expect(compare(a, b, within: Region(Rect(x: p.x + 1, y: 0, width: 200, height: 200))).isEmpty, "pixel \(p) outside the hint")
        }
    }

    @Test func randomChangesAndHintsMatchTheModel() {
        var rng = SplitMix(seed: 3)
        for round in 0..<200 {
            let width = rng.int(1...90), height = rng.int(1...90)
            let a = TestImages.random(width: width, height: height, seed: UInt64(round))
            var b = a
            for _ in 0..<rng.int(0...6) { b[rng.int(0...(width - 1)), rng.int(0...(height - 1))] ^= 0x010203 }
            if rng.bool() { b.fill(Rect(x: rng.int(-10...width), y: rng.int(-10...height), width: rng.int(0...30), height: rng.int(0...30)), with: 0x00fe_dcba) }
            let hint = Region(rects: (0..<rng.int(1...4)).map { _ in
                Rect(x: rng.int(-20...width), y: rng.int(-20...height), width: rng.int(0...60), height: rng.int(0...60))
            })
            let found = compare(a, b, within: hint)
            let differing = TestImages.differingPixels(a, b, in: hint)
            let changedTiles = Region(rects: differing.map { tile(of: $0, in: a.bounds) })
            #expect(differing.allSatisfy { found.contains($0) }, "round \(round): a change was missed")
            #expect(found.subtracting(hint.intersection(changedTiles)).isEmpty, "round \(round): reported beyond the hint or an unchanged tile")
            #expect(found == Region(rects: found.rects), "round \(round): not canonical")
            // Without a hint, the result is exactly the changed tiles.
            #expect(compare(a, b) == Region(rects: TestImages.differingPixels(a, b, in: Region(a.bounds)).map { tile(of: $0, in: a.bounds) }), "round \(round)")
        }
    }

    @Test func paddedRowsCompareOnlyTheirPixels() {
        let (width, height, stride) = (50, 40, 57)
        let a = TestImages.random(width: width, height: height, seed: 4)
        var b = a
        b[33, 17] = ~b[33, 17] & 0x00ff_ffff
        // The same frames with padding after each row; the padding differs between the two.
        func padded(_ buffer: PixelBuffer, padding: UInt32) -> [UInt32] {
            var out = [UInt32](repeating: padding, count: stride * height)
            for y in 0..<height { for x in 0..<width { out[y * stride + x] = buffer[x, y] } }
            return out
        }
        let pa = padded(a, padding: 0x1111_1111), pb = padded(b, padding: 0x2222_2222)
        let comparer = TileComparer(tileSize: tile)
        let found = pa.withUnsafeBufferPointer { ra in pb.withUnsafeBufferPointer { rb in
            comparer.changedRegion(from: PixelView(base: ra.baseAddress!, width: width, height: height, stride: stride),
                                   to: PixelView(base: rb.baseAddress!, width: width, height: height, stride: stride))
        } }
        #expect(found == Region(Rect(x: 32, y: 16, width: 16, height: 16)))
        // A tight frame against a padded one: strides may differ.
        let mixed = a.withView { tight in pb.withUnsafeBufferPointer { rb in
            comparer.changedRegion(from: tight, to: PixelView(base: rb.baseAddress!, width: width, height: height, stride: stride))
        } }
        #expect(mixed == found)
    }

    @Test func hintsOutsideTheFrameAreClipped() {
        let a = TestImages.random(width: 40, height: 30, seed: 5)
        let b = TestImages.random(width: 40, height: 30, seed: 6)
        #expect(compare(a, b, within: Region(Rect(x: -100, y: -100, width: 1000, height: 1000))) == Region(a.bounds))
        #expect(compare(a, b, within: Region(Rect(x: 40, y: 0, width: 10, height: 30))).isEmpty)
        #expect(compare(a, b, within: Region(Rect(x: -5, y: 25, width: 10, height: 10))) == Region(Rect(x: 0, y: 25, width: 5, height: 5)))
    }

    @Test func everyTileChangedIsTheWholeFrame() {
        let a = TestImages.random(width: 64, height: 48, seed: 7)
        var b = a
        for y in stride(from: 0, to: 48, by: tile) { for x in stride(from: 0, to: 64, by: tile) { b[x + 5, y + 9] ^= 1 } }
        #expect(compare(a, b) == Region(a.bounds))
        #expect(compare(a, b).rects == [a.bounds])
    }
}
