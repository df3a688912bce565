import Testing
import Geometry
@testable import RFBEncoders
import PortholeTestSupport

/// `NeighbourMerging` joins clusters of an update's rectangles into boxes that add at most half
/// of the damage inside them, and keeps the boxes disjoint and covering the damage.
struct NeighbourMergingTests {
    @Test func aGlyphCutIntoTwoBandsGoesAsOneRectangleBesideAFarStamp() {
        // The typing benchmark's frame 46: the stamp at the corner, the glyph trimmed to two bands.
        let stamp = Rect(x: 0, y: 0, width: 16, height: 16)
        let top = Rect(x: 1511, y: 123, width: 24, height: 5), bottom = Rect(x: 1511, y: 128, width: 28, height: 7)
        let damage = Region(rects: [stamp, top, bottom])
        let rects = FramebufferUpdateEncoder.batch(damage, mergingNeighbours: true)
        #expect(Set(rects) == [stamp, Rect(x: 1511, y: 123, width: 28, height: 12)])
        // Encodings that pay for every pixel keep the region's rectangles.
        #expect(FramebufferUpdateEncoder.batch(damage) == damage.rects)
        #expect(FramebufferUpdateEncoder.neighbourMergingEncodings == [.zrle])
    }

    @Test func rectanglesFarApartStaySeparate() {
        let rects = [Rect(x: 0, y: 0, width: 10, height: 10), Rect(x: 100, y: 0, width: 10, height: 10),
                     Rect(x: 0, y: 100, width: 10, height: 10)]
        #expect(NeighbourMerging.merged(rects) == rects)
    }

    @Test func aBoxThatWouldOverlapAThirdRectangleTakesItIn() {
        // a and b alone qualify (their box of 30x10 holds 200 of 300 pixels), but the box cuts c;
        // with c inside, the box of 30x20 holds 290 of 600 pixels and is refused, as are a or b with c.
        let a = Rect(x: 0, y: 0, width: 10, height: 10), b = Rect(x: 20, y: 0, width: 10, height: 10)
        let c = Rect(x: 12, y: 5, width: 6, height: 15)
        let kept = NeighbourMerging.merged([a, b, c])
        #expect(Set(kept) == [a, b, c])
        // With c large enough to pay for the box, all three are one.
        let big = Rect(x: 10, y: 0, width: 10, height: 14)
        #expect(NeighbourMerging.merged([a, b, big]) == [Rect(x: 0, y: 0, width: 30, height: 14)])
    }

    @Test func tooManyRectanglesAreLeftAsTheyAre() {
        let rects = (0...NeighbourMerging.maximumRectangles).map { Rect(x: $0 * 3, y: 0, width: 2, height: 2) }
        #expect(NeighbourMerging.merged(rects) == rects)
    }

    /// Random regions: the boxes cover the damage, never overlap, and each holds at least two
    /// thirds of damage (what the rule allows), and there are no more boxes than rectangles.
    @Test(arguments: 0..<60)
    func boxesCoverTheDamageDisjointly(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        var damage = Region()
        for _ in 0..<Int.random(in: 2...40, using: &rng) {
            damage.formUnion(Rect(x: Int.random(in: 0..<400, using: &rng), y: Int.random(in: 0..<300, using: &rng),
                                  width: Int.random(in: 1...30, using: &rng), height: Int.random(in: 1...30, using: &rng)))
        }
        // (A region of more than `maximumRectangles` comes back as it is, which holds as well.)
        let boxes = NeighbourMerging.merged(damage.rects)
        #expect(boxes.count <= damage.rects.count)
        #expect(damage.subtracting(Region(rects: boxes)).isEmpty)
        for (i, box) in boxes.enumerated() {
            #expect(boxes[(i + 1)...].allSatisfy { !$0.intersects(box) }, "\(box) overlaps another box")
            #expect(box.area * 2 <= damage.intersection(box).area * 3, "\(box) holds too little damage")
        }
    }
}
