import Geometry
import Testing
import X11Capture

@Suite struct DamageReadPlanTests {
    let screen = Rect(x: 0, y: 0, width: 1000, height: 800)

    @Test func neighbouringGlyphsAreReadTogetherButTheRegionStaysExact() {
        let glyphs = (0..<5).map { Rect(x: 100 + $0 * 8, y: 50, width: 7, height: 13) }
        let plan = DamageReadPlan(damage: glyphs, bounds: screen)
        #expect(plan.reads == [Rect(x: 100, y: 50, width: 39, height: 13)])
        #expect(plan.region.area == 5 * 7 * 13)
    }

    @Test func distantRectanglesAreReadApart() {
        let plan = DamageReadPlan(damage: [Rect(x: 0, y: 0, width: 10, height: 10), Rect(x: 900, y: 700, width: 10, height: 10)], bounds: screen)
        #expect(plan.reads.count == 2)
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
        #expect(plan.region.area == 400)
    }

    @Test func noDamageNoReads() {
        let plan = DamageReadPlan(damage: [], bounds: screen)
        #expect(plan.reads.isEmpty && plan.region.isEmpty)
    }
}
