import Geometry

/// Which parts of one viewer's picture it holds only as a lossy approximation, and when each must
/// be sent again exactly: JPEG wherever the content suits it (issue #3: photographic areas go JPEG
/// when the viewer allows lossy), and a lossless refresh once an area stops changing (issue #6
/// item 3).
///
/// The picture is cut into 64x64 tiles on a grid fixed to the frame. The encoder reports the
/// rectangles it actually wrote lossy (`markLossy`), and every update reports the area it changed
/// (`recordUpdate`). A lossy tile that has neither changed nor been sent lossy again for
/// `settleTime` is handed out once by `takeSettled`, for the caller to send again losslessly from
/// the current frame. An area that keeps changing thus stays lossy, at JPEG's cost, and is made
/// exact once, when it settles.
///
/// Pure: time is a parameter (a `Duration` since any fixed origin), so tests never sleep.
public struct LossyRefreshTracker: Sendable {
    /// How long a lossy tile must stay unchanged before it is refreshed losslessly: long enough
    /// that a video or a drag (frames 16–100 ms apart) is not refreshed between its frames.
    public static let defaultSettleTime = Duration.milliseconds(400)

    /// The tile edge, the grid `TileComparer` and `DamageRefinery` use.
    public static let tileSize = 64

    private struct Tile: Sendable {
        /// The last change, or the last lossy send, whichever came later.
        var lastChange = Duration.zero
        /// The viewer holds this tile (in part) as sent lossy and is owed a lossless refresh.
        var lossy = false
    }

    public private(set) var bounds: Rect
    public let settleTime: Duration
    private var columns = 0
    private var rows = 0
    private var tiles: [Tile] = []
    /// How many tiles are lossy: while none is (always, for a viewer sent nothing lossy), an
    /// update has nothing to record and nothing settles, and the tiles are not walked at all.
    private var lossyCount = 0

    public init(bounds: Rect, settleTime: Duration = Self.defaultSettleTime) {
        precondition(settleTime > .zero, "a lossy tile must wait for its refresh")
        self.bounds = bounds
        self.settleTime = settleTime
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
        lossyCount = 0
    }

    // MARK: - Updates

    /// Records one update at `now`: `changed` is the area where it sends new content as pixels,
    /// `copies` the CopyRect rectangles it sends. A change restarts a tile's wait for its refresh;
    /// a copy of lossy pixels is lossy (the viewer copies what it holds).
    public mutating func recordUpdate(changed: Region, copies: [CopyMove] = [], at now: Duration) {
        // A tile's last change matters only while it is lossy, and `markLossy` sets it.
        guard lossyCount > 0 else { return }
        var copiedLossy: [Int] = []
        for copy in copies {
            let source = Rect(origin: copy.source, size: copy.destination.size)
            if indices(touching: source).contains(where: { tiles[$0].lossy }) {
                copiedLossy += indices(touching: copy.destination)
            }
        }
        for rect in changed.rects {
            for i in indices(touching: rect) { tiles[i].lastChange = now }
        }
        for copy in copies {
            for i in indices(touching: copy.destination) { tiles[i].lastChange = now }
        }
        for i in copiedLossy where !tiles[i].lossy {
            tiles[i].lossy = true
            lossyCount += 1
        }
    }

    /// Records rectangles the encoder wrote lossy at `now`: their tiles are owed a refresh, which
    /// waits for `settleTime` from now.
    public mutating func markLossy(_ rects: [Rect], at now: Duration) {
        for rect in rects {
            for i in indices(touching: rect) {
                if !tiles[i].lossy { lossyCount += 1 }
                tiles[i].lossy = true
                tiles[i].lastChange = now
            }
        }
    }

    /// The tiles the viewer holds lossy and has not been refreshed in yet.
    public var lossyArea: Region { lossyCount == 0 ? Region() : region(of: tiles.indices.filter { tiles[$0].lossy }) }

    /// The lossy tiles that have not changed for the settle time: handed out once, for the caller
    /// to send again losslessly from the current frame. A tile that changes again afterwards starts
    /// over.
    public mutating func takeSettled(at now: Duration) -> Region {
        guard lossyCount > 0 else { return Region() }
        var settled: [Int] = []
        for i in tiles.indices where tiles[i].lossy && now - tiles[i].lastChange >= settleTime {
            tiles[i].lossy = false
            settled.append(i)
        }
        lossyCount -= settled.count
        return region(of: settled)
    }

    /// When the next lossy tile settles, if any is waiting: when to call `takeSettled` without
    /// new damage.
    public var nextSettleTime: Duration? {
        lossyCount == 0 ? nil : tiles.lazy.filter(\.lossy).map { $0.lastChange + settleTime }.min()
    }

    // MARK: - Tiles

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
