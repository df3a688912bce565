import Display
import Geometry
import PortholeTestSupport
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

    /// Random marks, updates with copies, and settling, against a model that walks every tile
    /// each time (as the tracker did before it counted its lossy tiles and skipped the walk while
    /// there are none): the owed area, the next settle time and what settles must agree.
    @Test func randomOperationsAgreeWithAModelThatWalksEveryTile() {
        var rng = SplitMix(seed: 77)
        let t = LossyRefreshTracker.tileSize
        let columns = (bounds.width + t - 1) / t, rows = (bounds.height + t - 1) / t
        func tiles(_ rect: Rect) -> [Int] {
            let r = rect.intersection(bounds)
            guard !r.isEmpty else { return [] }
            return (r.minY / t...(r.maxY - 1) / t).flatMap { row in (r.minX / t...(r.maxX - 1) / t).map { row * columns + $0 } }
        }
        func area(_ indices: [Int]) -> Region {
            Region(rects: indices.map { Rect(x: $0 % columns * t, y: $0 / columns * t, width: t, height: t).intersection(bounds) })
        }
        func randomRect() -> Rect {
            Rect(x: rng.int(0...bounds.width - 1), y: rng.int(0...bounds.height - 1), width: rng.int(1...90), height: rng.int(1...70))
        }
        var tracker = LossyRefreshTracker(bounds: bounds)
        var lossy = [Bool](repeating: false, count: columns * rows)
        var lastChange = [Duration](repeating: .zero, count: columns * rows)
        var now = ms(0)
        var settledTiles = 0
        for step in 0..<600 {
            now += ms(rng.int(0...150))
            switch rng.int(0...3) {
            case 0:
                let rects = (0..<rng.int(1...3)).map { _ in randomRect() }
                tracker.markLossy(rects, at: now)
                for i in rects.flatMap(tiles) { lossy[i] = true; lastChange[i] = now }
            case 1:
                let changed = Region(rects: (0..<rng.int(0...2)).map { _ in randomRect() })
                var copies: [CopyMove] = []
                if rng.bool() {
                    let w = rng.int(1...80), h = rng.int(1...60)
                    copies.append(CopyMove(destination: Rect(x: rng.int(0...bounds.width - w), y: rng.int(0...bounds.height - h), width: w, height: h),
                                           source: Point(x: rng.int(0...bounds.width - w), y: rng.int(0...bounds.height - h))))
                }
                tracker.recordUpdate(changed: changed, copies: copies, at: now)
                var copiedLossy: [Int] = []
                for copy in copies where tiles(Rect(origin: copy.source, size: copy.destination.size)).contains(where: { lossy[$0] }) {
                    copiedLossy += tiles(copy.destination)
                }
                for i in changed.rects.flatMap(tiles) + copies.flatMap({ tiles($0.destination) }) { lastChange[i] = now }
                for i in copiedLossy { lossy[i] = true }
            default:
                let settled = lossy.indices.filter { lossy[$0] && now - lastChange[$0] >= LossyRefreshTracker.defaultSettleTime }
                for i in settled { lossy[i] = false }
                settledTiles += settled.count
                #expect(tracker.takeSettled(at: now) == area(settled), "step \(step)")
            }
            #expect(tracker.lossyArea == area(lossy.indices.filter { lossy[$0] }), "step \(step)")
            #expect(tracker.nextSettleTime == lossy.indices.filter { lossy[$0] }.map { lastChange[$0] + LossyRefreshTracker.defaultSettleTime }.min(),
                    "step \(step)")
        }
        #expect(settledTiles > 20, "only \(settledTiles) tiles settled")
    }
}
