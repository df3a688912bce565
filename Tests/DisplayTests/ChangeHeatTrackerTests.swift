import Display
import Geometry
import Testing

/// The change-heat tracker with an injected clock: when tiles become hot, when lossy tiles settle
/// and are handed out for a lossless refresh (once), and what a change does to a tile waiting.
struct ChangeHeatTrackerTests {
    private let bounds = Rect(x: 0, y: 0, width: 200, height: 130)
    private func ms(_ n: Int) -> Duration { .milliseconds(n) }

    @Test func aTileBecomesHotAfterThreeChangesInQuickSuccession() {
        var heat = ChangeHeatTracker(bounds: bounds)
        let tile = Region(Rect(x: 64, y: 0, width: 64, height: 64))
        let change = Region(Rect(x: 70, y: 10, width: 40, height: 40))
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(0)).isEmpty)
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(33)).isEmpty)
        #expect(heat.hotArea(at: ms(33)).isEmpty)
        // The third change makes the tile hot; the lossy area is the change, not the whole tile.
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(66)) == change)
        #expect(heat.hotArea(at: ms(66)) == tile)
        #expect(heat.lossyArea == tile)
        // It cools off after the window without changes.
        #expect(heat.hotArea(at: ms(66 + 300)) == tile)
        #expect(heat.hotArea(at: ms(66 + 301)).isEmpty)
    }

    @Test func changesFarApartNeverMakeATileHot() {
        var heat = ChangeHeatTracker(bounds: bounds)
        let change = Region(Rect(x: 0, y: 0, width: 10, height: 10))
        for i in 0..<10 {
            #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(i * 350)).isEmpty)
        }
        #expect(heat.lossyArea.isEmpty)
        #expect(heat.nextSettleTime == nil)
    }

    @Test func withoutLossyPermissionNothingIsLossyOrOwed() {
        var heat = ChangeHeatTracker(bounds: bounds)
        for i in 0..<5 {
            #expect(heat.recordUpdate(changed: Region(bounds), lossyAllowed: false, at: ms(i * 20)).isEmpty)
        }
        #expect(!heat.hotArea(at: ms(80)).isEmpty, "heat is tracked all the same")
        #expect(heat.lossyArea.isEmpty)
        #expect(heat.takeSettled(at: ms(10_000)).isEmpty)
    }

    private func hotTracker(_ change: Region, until end: Int) -> ChangeHeatTracker {
        var heat = ChangeHeatTracker(bounds: bounds)
        for t in stride(from: 0, through: end, by: 33) { _ = heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(t)) }
        return heat
    }

    @Test func aSettledLossyTileIsHandedOutOnceForRefresh() {
        let change = Region(Rect(x: 150, y: 100, width: 50, height: 30))   // the clipped corner tile
        var heat = hotTracker(change, until: 330)   // last change at 330 ms
        let tile = Region(Rect(x: 128, y: 64, width: 72, height: 66))
        #expect(heat.lossyArea == tile)
        #expect(heat.nextSettleTime == ms(330 + 400))
        #expect(heat.takeSettled(at: ms(729)).isEmpty, "not settled yet")
        #expect(heat.takeSettled(at: ms(730)) == tile)
        #expect(heat.hotArea(at: ms(730)).isEmpty, "a settled tile is no longer hot, so its refresh is lossless")
        #expect(heat.takeSettled(at: ms(731)).isEmpty, "handed out twice")
        #expect(heat.takeSettled(at: ms(5000)).isEmpty)
        #expect(heat.nextSettleTime == nil)
        #expect(heat.lossyArea.isEmpty)
    }

    @Test func aTileChangedWhileAwaitingRefreshGoesBackToHot() {
        let change = Region(Rect(x: 0, y: 0, width: 64, height: 64))
        var heat = hotTracker(change, until: 99)   // last change at 99 ms
        #expect(heat.nextSettleTime == ms(499))
        // 200 ms later, still within the window: hot again, still lossy, and its settling starts over.
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(299)) == change)
        #expect(heat.hotArea(at: ms(299)) == change)
        #expect(heat.takeSettled(at: ms(499)).isEmpty)
        #expect(heat.nextSettleTime == ms(699))
        #expect(heat.takeSettled(at: ms(699)) == change)
        // After its refresh it starts over: hot after three quick changes, owed a refresh again.
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(1000)).isEmpty)
        _ = heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(1030))
        #expect(heat.recordUpdate(changed: change, lossyAllowed: true, at: ms(1060)) == change)
        #expect(heat.takeSettled(at: ms(1460)) == change)
    }

    @Test func onlyTheChangedTilesOfAHotUpdateAreLossy() {
        var heat = ChangeHeatTracker(bounds: bounds)
        let moving = Region(Rect(x: 0, y: 0, width: 64, height: 64))
        for t in [0, 30, 60] { _ = heat.recordUpdate(changed: moving, lossyAllowed: true, at: ms(t)) }
        // One change elsewhere in the same update as the hot tile: only the hot tile may be lossy.
        let once = Region(Rect(x: 130, y: 70, width: 10, height: 10))
        #expect(heat.recordUpdate(changed: moving.union(once), lossyAllowed: true, at: ms(90)) == moving)
        #expect(heat.lossyArea == moving)
    }

    @Test func aCopyOfLossyPixelsIsOwedARefreshToo() {
        let change = Region(Rect(x: 0, y: 0, width: 64, height: 64))
        var heat = hotTracker(change, until: 66)
        let copy = CopyMove(destination: Rect(x: 128, y: 64, width: 64, height: 64), source: Point(x: 0, y: 0))
        #expect(heat.recordUpdate(changed: Region(), copies: [copy], lossyAllowed: true, at: ms(100)).isEmpty)
        let owed = change.union(Region(Rect(x: 128, y: 64, width: 64, height: 64)))
        #expect(heat.lossyArea == owed)
        #expect(heat.takeSettled(at: ms(500)) == owed)
    }

    @Test func resizingStartsOver() {
        var heat = hotTracker(Region(Rect(x: 0, y: 0, width: 64, height: 64)), until: 99)
        heat.resize(to: bounds)
        #expect(!heat.lossyArea.isEmpty, "the same bounds keep the state")
        heat.resize(to: Rect(x: 0, y: 0, width: 100, height: 100))
        #expect(heat.lossyArea.isEmpty && heat.nextSettleTime == nil)
        #expect(heat.hotArea(at: ms(99)).isEmpty)
    }
}
