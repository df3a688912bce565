import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// The trimmer against a brute-force model: every differing pixel inside the given tiles is in
/// the result, the result never leaves the tiles, and rows that do not differ anywhere in a run
/// of tiles stay out (beyond the merged gap).
struct ChangedPixelTrimmerTests {
    private func trim(_ a: PixelBuffer, _ b: PixelBuffer, in tiles: Region, gap: Int = 2) -> Region {
        a.withView { old in b.withView { new in ChangedPixelTrimmer(mergedGap: gap).changedPixels(in: tiles, from: old, to: new) } }
    }

    @Test func aChangedLineOfTextShrinksToItsRowsAndColumns() {
        let previous = PixelBuffer(width: 256, height: 128, fill: 0xfdfdfd)
        var current = previous
        current.fill(Rect(x: 41, y: 67, width: 150, height: 12), with: 0x202020)
        let tiles = Region(Rect(x: 0, y: 64, width: 256, height: 64))
        #expect(trim(previous, current, in: tiles) == Region(Rect(x: 41, y: 67, width: 150, height: 12)))
    }

    @Test func rowsApartByMoreThanTheGapAreSeparateAndWithinItOne() {
        let previous = PixelBuffer(width: 64, height: 64, fill: 0)
        var current = previous
        current[10, 5] = 1
        current[20, 8] = 1      // 2 identical rows between: merged with row 5
        current[30, 20] = 1     // 11 rows further: a run of its own
        let tiles = Region(previous.bounds)
        #expect(trim(previous, current, in: tiles) == Region(rects: [Rect(x: 10, y: 5, width: 11, height: 4), Rect(x: 30, y: 20, width: 1, height: 1)]))
        #expect(trim(previous, current, in: tiles, gap: 1) == Region(rects: [Rect(x: 10, y: 5, width: 1, height: 1), Rect(x: 20, y: 8, width: 1, height: 1),
                                                                             Rect(x: 30, y: 20, width: 1, height: 1)]))
    }

    @Test func separateRunsOfTilesAreTrimmedSeparately() {
        // Two changes on the same rows, far apart: not one rectangle across the unchanged middle.
        let previous = PixelBuffer(width: 320, height: 64, fill: 7)
        var current = previous
        current[5, 30] = 8
        current[300, 30] = 8
        let tiles = Region(rects: [Rect(x: 0, y: 0, width: 64, height: 64), Rect(x: 256, y: 0, width: 64, height: 64)])
        #expect(trim(previous, current, in: tiles) == Region(rects: [Rect(x: 5, y: 30, width: 1, height: 1), Rect(x: 300, y: 30, width: 1, height: 1)]))
    }

    @Test func equalFramesAndTheSameMemoryHaveNothing() {
        let a = TestImages.random(width: 70, height: 50, seed: 3)
        #expect(trim(a, a, in: Region(a.bounds)).isEmpty)
        var b = PixelBuffer(width: 70, height: 50)
        b.pixels = a.pixels.map { $0 }
        #expect(trim(a, b, in: Region(a.bounds)).isEmpty)
    }

    @Test func randomChangesAreCoveredAndNeverLeaveTheTiles() {
        var rng = SplitMix(seed: 21)
        for round in 0..<200 {
            let width = rng.int(1...150), height = rng.int(1...120)
            let previous = TestImages.random(width: width, height: height, seed: UInt64(round))
            var current = previous
            for _ in 0..<rng.int(0...6) {
                let r = Rect(x: rng.int(0...width - 1), y: rng.int(0...height - 1), width: rng.int(1...20), height: rng.int(1...20))
                current.fill(r.intersection(current.bounds), with: UInt32(rng.int(0...0xffffff)))
            }
            var tiles = Region()
            for _ in 0..<rng.int(1...4) {
                tiles.formUnion(Rect(x: rng.int(-10...width), y: rng.int(-10...height), width: rng.int(0...width + 10), height: rng.int(0...height + 10)))
            }
            let trimmed = trim(previous, current, in: tiles, gap: rng.int(0...4))
            let model = Region(rects: TestImages.differingPixels(previous, current, in: tiles).map { Rect(origin: $0, size: Size(width: 1, height: 1)) })
            #expect(model.subtracting(trimmed).isEmpty, "round \(round): a differing pixel is missing")
            #expect(trimmed.subtracting(tiles.intersection(previous.bounds)).isEmpty, "round \(round): the result left the tiles")
            if model.isEmpty { #expect(trimmed.isEmpty, "round \(round): nothing differs, yet \(trimmed)") }
        }
    }

    @Test func rowsPaddedBeyondTheWidthAreNotRead() {
        // Views whose stride is larger than the width: the padding differs but must not count.
        let a = [UInt32](repeating: 1, count: 40 * 10)
        var b = a
        for y in 0..<10 { b[y * 40 + 35] = 2 }          // padding only
        b[3 * 40 + 4] = 9                                // one real change
        let trimmed = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            ChangedPixelTrimmer().changedPixels(in: Region(Rect(x: 0, y: 0, width: 32, height: 10)),
                                                from: PixelView(base: pa.baseAddress!, width: 32, height: 10, stride: 40),
                                                to: PixelView(base: pb.baseAddress!, width: 32, height: 10, stride: 40))
        } }
        #expect(trimmed == Region(Rect(x: 4, y: 3, width: 1, height: 1)))
    }

    @Test func aCutIntoTooManyPiecesGivesTheTilesBack() {
        // Every fourth row differs in every one of 300 separate 1-pixel columns: far more than
        // maximumRectangles runs, so the tiles come back whole rather than as a thousand slivers.
        let previous = PixelBuffer(width: 600, height: 64, fill: 0)
        var current = previous
        var tiles = Region()
        for column in stride(from: 0, to: 600, by: 2) {
            tiles.formUnion(Rect(x: column, y: 0, width: 1, height: 64))
            for y in stride(from: 0, to: 64, by: 4) { current[column, y] = 1 }
        }
        #expect(trim(previous, current, in: tiles) == tiles)
        // Within the limit the same pattern is cut: one column's rows apart.
        let one = Region(Rect(x: 0, y: 0, width: 1, height: 64))
        #expect(trim(previous, current, in: one).area == 16)
    }
}
