import Geometry

/// Which parts of one viewer's picture keep changing ("hot"), and which parts it holds only as a
/// lossy approximation and must get again losslessly once they stop changing (issue #6 item 3:
/// "lossy while an area keeps changing and a lossless refresh once it settles").
///
/// The picture is cut into 64x64 tiles on a grid fixed to the frame. Every update sent to the
/// viewer reports the area it changed (`recordUpdate`). A tile is hot when it changed in at least
/// `Timing.hotChanges` updates in a row, each no more than `Timing.hotWindow` after the one before,
/// and the latest no more than `hotWindow` ago; a quiet gap longer than the window starts the count
/// again (the decay). Only hot tiles may be sent lossy; the tiles that were are remembered, and once
/// a lossy tile has not changed for `Timing.settleTime` (longer than the window, so it is no longer
/// hot) `takeSettled` hands it out once for a lossless refresh from the current frame.
///
/// Pure: time is a parameter (a `Duration` since any fixed origin), so tests never sleep.
public struct ChangeHeatTracker: Sendable {
    public struct Timing: Sendable, Equatable {
        /// Changes in consecutive updates, each within `hotWindow` of the last, that make a tile hot.
        public var hotChanges: Int
        /// How long a change keeps a tile warm.
        public var hotWindow: Duration
        /// How long a lossy tile must stay unchanged before it is refreshed losslessly.
        public var settleTime: Duration

        public init(hotChanges: Int = 3, hotWindow: Duration = .milliseconds(300), settleTime: Duration = .milliseconds(400)) {
            precondition(hotChanges >= 1 && settleTime > hotWindow, "a settled tile must no longer be hot")
            self.hotChanges = hotChanges
            self.hotWindow = hotWindow
            self.settleTime = settleTime
        }
    }

    /// The tile edge, the grid `TileComparer` and `DamageRefinery` use.
    public static let tileSize = 64

    private struct Tile: Sendable {
        var changes = 0
        var lastChange = Duration.zero
        /// The viewer holds this tile (in part) as sent lossy and is owed a lossless refresh.
        var lossy = false
    }

    public private(set) var bounds: Rect
    public let timing: Timing
    private var columns = 0
    private var rows = 0
    private var tiles: [Tile] = []

    public init(bounds: Rect, timing: Timing = Timing()) {
        self.bounds = bounds
        self.timing = timing
        layOut()
    }

    /// Starts over for a frame of another size (the whole picture is sent anew anyway); nothing
    /// for the same bounds.
    public mutating func resize(to newBounds: Rect) {
        guard newBounds != bounds else { return }
        bounds = newBounds
        layOut()
    }

    private mutating func layOut() {
        let t = Self.tileSize
        columns = bounds.isEmpty ? 0 : (bounds.width + t - 1) / t
        rows = bounds.isEmpty ? 0 : (bounds.height + t - 1) / t
        tiles = Array(repeating: Tile(), count: columns * rows)
    }

    // MARK: - Updates

    /// Records one update at `now`: `changed` is the area it sends as pixels, `copies` the
    /// CopyRect rectangles it sends (the viewer copies what it holds, so a copy of lossy pixels is
    /// lossy). Returns the area the update may send lossy: the hot tiles among the changed ones
    /// when `lossyAllowed`, else nothing. Those tiles are then owed a refresh.
    public mutating func recordUpdate(changed: Region, copies: [CopyMove] = [], lossyAllowed: Bool, at now: Duration) -> Region {
        var copiedLossy: [Int] = []
        for copy in copies {
            let source = Rect(origin: copy.source, size: copy.destination.size)
            if indices(touching: source).contains(where: { tiles[$0].lossy }) {
                copiedLossy += indices(touching: copy.destination)
            }
        }
        var touched = Set<Int>()
        for rect in changed.rects { touched.formUnion(indices(touching: rect)) }
        for copy in copies { touched.formUnion(indices(touching: copy.destination)) }
        for i in touched {
            if tiles[i].changes > 0 && now - tiles[i].lastChange <= timing.hotWindow {
                tiles[i].changes = min(tiles[i].changes + 1, timing.hotChanges)
            } else {
                tiles[i].changes = 1
            }
            tiles[i].lastChange = now
        }
        for i in copiedLossy { tiles[i].lossy = true }
        guard lossyAllowed else { return Region() }
        let hot = touched.filter { isHot(tiles[$0], at: now) }
        for i in hot { tiles[i].lossy = true }
        return region(of: hot).intersection(changed)
    }

    /// The hot tiles at `now`, as a region clipped to the bounds.
    public func hotArea(at now: Duration) -> Region {
        region(of: tiles.indices.filter { isHot(tiles[$0], at: now) })
    }

    /// The tiles the viewer holds lossy and has not been refreshed in yet.
    public var lossyArea: Region { region(of: tiles.indices.filter { tiles[$0].lossy }) }

    /// The lossy tiles that have not changed for the settle time: handed out once, for the caller
    /// to send again losslessly from the current frame. A tile that changes again afterwards starts
    /// over.
    public mutating func takeSettled(at now: Duration) -> Region {
        var settled: [Int] = []
        for i in tiles.indices where tiles[i].lossy && now - tiles[i].lastChange >= timing.settleTime {
            tiles[i].lossy = false
            settled.append(i)
        }
        return region(of: settled)
    }

    /// When the next lossy tile settles, if any is waiting: when to call `takeSettled` without
    /// new damage.
    public var nextSettleTime: Duration? {
        tiles.lazy.filter(\.lossy).map { $0.lastChange + timing.settleTime }.min()
    }

    // MARK: - Tiles

    private func isHot(_ tile: Tile, at now: Duration) -> Bool {
        tile.changes >= timing.hotChanges && now - tile.lastChange <= timing.hotWindow
    }

    /// Indices of the tiles `rect` (clipped to the bounds) touches.
    private func indices(touching rect: Rect) -> [Int] {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return [] }
        let t = Self.tileSize
        let firstColumn = (r.minX - bounds.minX) / t, lastColumn = (r.maxX - 1 - bounds.minX) / t
        let firstRow = (r.minY - bounds.minY) / t, lastRow = (r.maxY - 1 - bounds.minY) / t
        var result: [Int] = []
        result.reserveCapacity((lastColumn - firstColumn + 1) * (lastRow - firstRow + 1))
        for row in firstRow...lastRow {
            for column in firstColumn...lastColumn { result.append(row * columns + column) }
        }
        return result
    }

    /// The given tiles as a canonical region: runs of adjacent tiles per tile row, in banded order.
    private func region<S: Sequence>(of indices: S) -> Region where S.Element == Int {
        var marked = [Bool](repeating: false, count: tiles.count)
        var any = false
        for i in indices { marked[i] = true; any = true }
        guard any else { return Region() }
        let t = Self.tileSize
        var runs: [Rect] = []
        for row in 0..<rows {
            var column = 0
            while column < columns {
                guard marked[row * columns + column] else { column += 1; continue }
                let start = column
                while column < columns && marked[row * columns + column] { column += 1 }
                let x = bounds.minX + start * t, y = bounds.minY + row * t
                runs.append(Rect(minX: x, minY: y, maxX: min(bounds.minX + column * t, bounds.maxX), maxY: min(y + t, bounds.maxY)))
            }
        }
        return Region(bandedRects: runs)
    }
}
