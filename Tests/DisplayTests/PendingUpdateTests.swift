import Testing
import Geometry
@testable import Display

/// The accumulator is checked by simulation: a "source" picture of labelled pixels and a "viewer"
/// picture that applies what `take` hands out. After every take the viewer must equal the source
/// inside what was requested.
struct PendingUpdateTests {
    typealias Picture = [Point: Int]
    let bounds = Rect(x: 0, y: 0, width: 12, height: 10)

    func apply(_ m: CopyMove, to p: inout Picture) {
        let old = p
        for y in m.destination.minY..<m.destination.maxY {
            for x in m.destination.minX..<m.destination.maxX { p[Point(x: x, y: y)] = old[Point(x: x - m.dx, y: y - m.dy)] }
        }
    }

    @Test func randomSequencesKeepTheViewerExact() {
        var rng = UInt64(7)
        func rand(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
        for _ in 0..<400 {
            var source = Picture(), viewer = Picture()
            var counter = 1
            for y in 0..<10 { for x in 0..<12 { source[Point(x: x, y: y)] = 0; viewer[Point(x: x, y: y)] = 0 } }
            var pending = PendingUpdate(bounds: bounds)
            for _ in 0..<6 {
                var change = FrameDamage()
                if rand(2) == 0 {
                    let r = Rect(x: rand(10), y: rand(8), width: 1 + rand(6), height: 1 + rand(5)).intersection(bounds)
                    let m = CopyMove(destination: r, source: Point(x: r.x + rand(7) - 3, y: r.y + rand(7) - 3))
                    let movable = r.intersection(bounds.offsetBy(dx: m.dx, dy: m.dy))
                    let clipped = CopyMove(destination: movable, source: Point(x: movable.x - m.dx, y: movable.y - m.dy))
                    if !movable.isEmpty { apply(clipped, to: &source); change.moves.append(clipped) }
                }
                if rand(2) == 0 {
                    let r = Rect(x: rand(12), y: rand(10), width: 1 + rand(5), height: 1 + rand(5)).intersection(bounds)
                    for y in r.minY..<r.maxY { for x in r.minX..<r.maxX { source[Point(x: x, y: y)] = counter; counter += 1 } }
                    change.region = Region(r)
                }
                pending.add(change)
                if rand(3) == 0 {
                    let (copies, damage) = pending.take(requested: Region(bounds))
                    for c in copies { apply(c, to: &viewer) }
                    for r in damage.rects { for y in r.minY..<r.maxY { for x in r.minX..<r.maxX { viewer[Point(x: x, y: y)] = source[Point(x: x, y: y)] } } }
                    #expect(viewer == source)
                    #expect(pending.isEmpty)
                }
            }
            let (copies, damage) = pending.take(requested: Region(bounds))
            for c in copies { apply(c, to: &viewer) }
            for r in damage.rects { for y in r.minY..<r.maxY { for x in r.minX..<r.maxX { viewer[Point(x: x, y: y)] = source[Point(x: x, y: y)] } } }
            #expect(viewer == source)
        }
    }

    @Test func aMoveOfCleanContentIsSentAsACopy() {
        var p = PendingUpdate(bounds: bounds)
        p.add(FrameDamage(moves: [CopyMove(destination: Rect(x: 4, y: 0, width: 4, height: 4), source: Point(x: 2, y: 0))]))
        let (copies, damage) = p.take(requested: Region(bounds))
        #expect(copies == [CopyMove(destination: Rect(x: 4, y: 0, width: 4, height: 4), source: Point(x: 2, y: 0))])
        #expect(damage.isEmpty)
    }

    @Test func damageOutsideTheRequestStaysPending() {
        var p = PendingUpdate(bounds: bounds)
        p.addDamage(Region(Rect(x: 0, y: 0, width: 12, height: 2)))
        let (_, damage) = p.take(requested: Region(Rect(x: 0, y: 0, width: 6, height: 10)))
        #expect(damage == Region(Rect(x: 0, y: 0, width: 6, height: 2)))
        #expect(p.damage == Region(Rect(x: 6, y: 0, width: 6, height: 2)))
    }
}
