import Testing
import Geometry
@testable import RFBEncoders
import PortholeTestSupport

/// `FramebufferUpdateEncoder.batch` coarsens a region of many small pieces to the 64-pixel tiles
/// it touches. The bitmap it does this with must give exactly the tiles a direct test of every
/// tile against the region gives.
struct UpdateBatchingTests {
    /// The definition: every tile of `bounds` that meets the region, added by union.
    private func tilesByDefinition(_ damage: Region, bounds: Rect) -> Region {
        var coarse = Region()
        for tile in bounds.tiles(width: 64, height: 64) where !damage.intersection(tile).isEmpty {
            coarse.formUnion(tile)
        }
        return coarse
    }

    @Test(arguments: 0..<40)
    func coarsenedRegionIsTheTouchedTiles(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        var damage = Region()
        let origin = (x: Int.random(in: 0..<100, using: &rng), y: Int.random(in: 0..<100, using: &rng))
        for _ in 0..<Int.random(in: 1...400, using: &rng) {
            damage.formUnion(Rect(x: origin.x + Int.random(in: 0..<1500, using: &rng), y: origin.y + Int.random(in: 0..<900, using: &rng),
                                  width: Int.random(in: 1...40, using: &rng), height: Int.random(in: 1...40, using: &rng)))
        }
        let bounds = damage.bounds
        #expect(FramebufferUpdateEncoder.coarsened(damage, bounds: bounds) == tilesByDefinition(damage, bounds: bounds))
    }

    @Test func manyPiecesBecomeTileStripsCoveringTheDamage() {
        var damage = Region()
        for i in 0..<300 { damage.formUnion(Rect(x: (i % 30) * 100, y: (i / 30) * 100, width: 3, height: 3)) }
        let rects = FramebufferUpdateEncoder.batch(damage)
        #expect(rects.allSatisfy { $0.height <= 64 })
        let covered = Region(rects: rects)
        #expect(damage.rects.allSatisfy { covered.contains($0) })
        #expect(covered.area < damage.bounds.area)
    }
}
