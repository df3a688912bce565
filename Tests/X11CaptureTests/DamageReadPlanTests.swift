import Geometry
import Testing
import X11Capture

@Suite struct DamageReadPlanTests {
    let screen = Rect(x: 0, y: 0, width: 1000, height: 800)

    /// The gaps between the glyphs are read too, so they are reported as well (see
    /// MirrorDamageTests for why; the output's refinery drops what did not change).
    @Test func neighbouringGlyphsAreReadTogetherAndReportedAsRead() {
        let glyphs = (0..<5).map { Rect(x: 100 + $0 * 8, y: 50, width: 7, height: 13) }
        let plan = DamageReadPlan(damage: glyphs, bounds: screen)
        #expect(plan.reads == [Rect(x: 100, y: 50, width: 39, height: 13)])
        #expect(plan.region == Region(Rect(x: 100, y: 50, width: 39, height: 13)))
    }

    @Test func distantRectanglesAreReadApart() {
        let apart = [Rect(x: 0, y: 0, width: 10, height: 10), Rect(x: 900, y: 700, width: 10, height: 10)]
        let plan = DamageReadPlan(damage: apart, bounds: screen)
        #expect(plan.reads.count == 2)
        #expect(plan.region == Region(rects: apart))
    }

    @Test func damageIsClippedToTheScreen() {
        let plan = DamageReadPlan(damage: [Rect(x: 990, y: 790, width: 50, height: 50)], bounds: screen)
        #expect(plan.reads == [Rect(x: 990, y: 790, width: 10, height: 10)])
        #expect(plan.region == Region(Rect(x: 990, y: 790, width: 10, height: 10)))
    }

    @Test func tooManyReadsBecomeOneBoundingBox() {
        let scattered = (0..<100).map { Rect(x: ($0 % 10) * 100, y: ($0 / 10) * 80, width: 2, height: 2) }
        // Each row of dots merges into one 902x2 read (little waste); ten rows are over five reads.
        #expect(DamageReadPlan(damage: scattered, bounds: screen, maximumReads: 32).reads.count == 10)
        let plan = DamageReadPlan(damage: scattered, bounds: screen, maximumReads: 5)
        #expect(plan.reads == [Rect(x: 0, y: 0, width: 902, height: 722)])
        #expect(plan.region == Region(Rect(x: 0, y: 0, width: 902, height: 722)))
    }

    @Test func noDamageNoReads() {
        let plan = DamageReadPlan(damage: [], bounds: screen)
        #expect(plan.reads.isEmpty && plan.region.isEmpty)
    }
}
