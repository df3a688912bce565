import Display
import Geometry
import Testing

/// The lossy-refresh tracker with an injected clock: which tiles are owed a refresh after the
/// encoder wrote lossy rectangles, when they settle and are handed out (once), and what a change
/// or a copy does to a tile that waits.
struct LossyRefreshTrackerTests {
    private let bounds = Rect(x: 0, y: 0, width: 200, height: 130)
    private func ms(_ n: Int) -> Duration { .milliseconds(n) }

    @Test func changesAloneOweNothing() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        for i in 0..<10 { tracker.recordUpdate(changed: Region(bounds), at: ms(i * 30)) }
        #expect(tracker.lossyArea.isEmpty)
        #expect(tracker.nextSettleTime == nil)
        #expect(tracker.takeSettled(at: ms(10_000)).isEmpty)
    }

    @Test func theTilesALossyRectangleTouchesAreOwedARefresh() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        // Touches the tiles of columns 1 and 2 in row 0, and of the last column (clipped to the
        // bounds) in row 1.
        tracker.markLossy([Rect(x: 100, y: 10, width: 40, height: 20), Rect(x: 195, y: 70, width: 5, height: 5)], at: ms(0))
        #expect(tracker.lossyArea == Region(Rect(x: 64, y: 0, width: 128, height: 64)).union(Region(Rect(x: 192, y: 64, width: 8, height: 64))))
        #expect(tracker.nextSettleTime == ms(400))
    }

    @Test func aSettledLossyTileIsHandedOutOnceForRefresh() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        let corner = Rect(x: 150, y: 100, width: 50, height: 30)
        let tile = Region(Rect(x: 128, y: 64, width: 72, height: 66))
        tracker.markLossy([corner], at: ms(330))
        #expect(tracker.lossyArea == tile)
        #expect(tracker.nextSettleTime == ms(330 + 400))
        #expect(tracker.takeSettled(at: ms(729)).isEmpty, "not settled yet")
        #expect(tracker.takeSettled(at: ms(730)) == tile)
        #expect(tracker.takeSettled(at: ms(731)).isEmpty, "handed out twice")
        #expect(tracker.takeSettled(at: ms(5000)).isEmpty)
        #expect(tracker.nextSettleTime == nil)
        #expect(tracker.lossyArea.isEmpty)
    }

    @Test func aStillLossyAreaIsRefreshedAfterTheSettleTime() {
        // The first update of a photograph goes JPEG although nothing changed before it: its
        // refresh still waits the settle time from the lossy send, not from the last change.
        var tracker = LossyRefreshTracker(bounds: bounds)
        tracker.markLossy([bounds], at: ms(10_000))
        #expect(tracker.takeSettled(at: ms(10_399)).isEmpty)
        #expect(tracker.takeSettled(at: ms(10_400)) == Region(bounds))
    }

    @Test func aTileThatKeepsChangingWaitsForItsRefresh() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        let tile = Rect(x: 0, y: 0, width: 64, height: 64)
        tracker.markLossy([tile], at: ms(0))
        // Changed again (sent losslessly, say) before it settled: its wait starts over.
        tracker.recordUpdate(changed: Region(Rect(x: 10, y: 10, width: 5, height: 5)), at: ms(300))
        #expect(tracker.takeSettled(at: ms(400)).isEmpty)
        #expect(tracker.nextSettleTime == ms(700))
        // Sent lossy again: the same.
        tracker.markLossy([tile], at: ms(600))
        #expect(tracker.takeSettled(at: ms(700)).isEmpty)
        #expect(tracker.takeSettled(at: ms(1000)) == Region(tile))
        // After its refresh a tile owes nothing until the encoder writes it lossy again.
        tracker.recordUpdate(changed: Region(tile), at: ms(1100))
        #expect(tracker.takeSettled(at: ms(5000)).isEmpty)
        tracker.markLossy([tile], at: ms(5000))
        #expect(tracker.takeSettled(at: ms(5400)) == Region(tile))
    }

    @Test func onlyTheTilesWrittenLossyAreOwed() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        // An update that changes two areas, of which the encoder sent one as JPEG (a photograph)
        // and the other as a palette (text): only the first is owed.
        let photo = Rect(x: 0, y: 0, width: 64, height: 64), text = Rect(x: 130, y: 70, width: 10, height: 10)
        tracker.recordUpdate(changed: Region(photo).union(Region(text)), at: ms(0))
        tracker.markLossy([photo], at: ms(0))
        #expect(tracker.lossyArea == Region(photo))
    }

    @Test func aCopyOfLossyPixelsIsOwedARefreshToo() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        let lossy = Rect(x: 0, y: 0, width: 64, height: 64)
        tracker.markLossy([lossy], at: ms(66))
        let copy = CopyMove(destination: Rect(x: 128, y: 64, width: 64, height: 64), source: Point(x: 0, y: 0))
        tracker.recordUpdate(changed: Region(), copies: [copy], at: ms(100))
        let owed = Region(lossy).union(Region(Rect(x: 128, y: 64, width: 64, height: 64)))
        #expect(tracker.lossyArea == owed)
        #expect(tracker.takeSettled(at: ms(500)) == owed)
        // A copy of exact pixels owes nothing.
        tracker.recordUpdate(changed: Region(), copies: [copy], at: ms(600))
        #expect(tracker.lossyArea.isEmpty)
    }

    @Test func resizingStartsOver() {
        var tracker = LossyRefreshTracker(bounds: bounds)
        tracker.markLossy([Rect(x: 0, y: 0, width: 64, height: 64)], at: ms(99))
        tracker.resize(to: bounds)
        #expect(!tracker.lossyArea.isEmpty, "the same bounds keep the state")
        tracker.resize(to: Rect(x: 0, y: 0, width: 100, height: 100))
        #expect(tracker.lossyArea.isEmpty && tracker.nextSettleTime == nil)
    }
}
