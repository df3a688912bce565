import Geometry
import PortholeTestSupport
import Testing

/// `Region(bandedRects:)` builds in one pass what the general union builds: the same canonical
/// region, whether the input is banded (rows of a tile grid) or not.
struct BandedRegionTests {
    /// Rows of a grid of `tile`-sized cells, each cell kept with some probability, in banded order.
    private func gridRects(_ rng: inout SplitMix, columns: Int, rows: Int, tile: Int) -> [Rect] {
        var out: [Rect] = []
        for row in 0..<rows {
            let height = rng.int(1...tile)
            for column in 0..<columns where rng.int(0...2) > 0 {
                out.append(Rect(x: column * tile, y: row * tile, width: tile, height: height))
            }
        }
        return out
    }

    @Test func bandedInputGivesTheCanonicalUnion() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<300 {
            let rects = gridRects(&rng, columns: rng.int(1...6), rows: rng.int(1...6), tile: rng.int(1...5))
            let built = Region(bandedRects: rects)
            #expect(built == Region(rects: rects), "\(rects)")
        }
    }

    @Test func equalNeighbouringRowsMergeAndTouchingRectsJoin() {
        let rects = [Rect(x: 0, y: 0, width: 4, height: 4), Rect(x: 4, y: 0, width: 4, height: 4),
                     Rect(x: 0, y: 4, width: 8, height: 4), Rect(x: 0, y: 9, width: 8, height: 1)]
        #expect(Region(bandedRects: rects).rects == [Rect(x: 0, y: 0, width: 8, height: 8), Rect(x: 0, y: 9, width: 8, height: 1)])
    }

    @Test func unorderedOrOverlappingInputFallsBackToTheUnion() {
        var rng = SplitMix(seed: 8)
        for _ in 0..<300 {
            let rects = (0..<rng.int(0...6)).map { _ in
                Rect(x: rng.int(0...20), y: rng.int(0...20), width: rng.int(0...8), height: rng.int(0...8))
            }
            #expect(Region(bandedRects: rects) == Region(rects: rects), "\(rects)")
        }
    }
}
