import Geometry

/// One rectangle of an update to encode, and whether it may be lossy (`FramebufferUpdateEncoder`'s
/// lossy area: everywhere but the lossless refresh of what went JPEG).
public struct LaneJob: Equatable, Sendable {
    public var rect: Rect
    public var lossy: Bool

    public init(rect: Rect, lossy: Bool) {
        self.rect = rect
        self.lossy = lossy
    }
}

/// Splits the rectangles of one large update into lanes of roughly equal area that can be encoded
/// at the same time (docs/architecture.md, "Encoding on all cores").
///
/// Lanes are contiguous runs of the update's rectangles in their order, so the lanes' outputs,
/// concatenated in lane order, are the update's rectangles in that order: the order in which a
/// viewer decodes them and in which its zlib streams must see their bytes. Where a lane boundary
/// falls inside a rectangle, the rectangle is cut into two horizontal bands at a multiple of
/// `rowGrid` rows from its top: the encodings' tiles start at the rectangle's origin (ZRLE's
/// 64x64, RFC 6143 §7.7.6; Hextile's 16x16, §7.7.4), so each band is made of the same whole tiles
/// and only the last row of tiles of the lower band may be short, as in the uncut rectangle.
public enum UpdateLanes {
    /// At most `lanes` runs of `jobs`, none empty; lane k ends where the cumulative area reaches
    /// (k+1)/lanes of the total (rounded to the grid), so rounding does not pile up in the last lane.
    public static func split(_ jobs: [LaneJob], lanes: Int, rowGrid: Int) -> [[LaneJob]] {
        precondition(lanes >= 1 && rowGrid >= 1, "lanes \(lanes) and row grid \(rowGrid) must be positive")
        let total = jobs.reduce(0) { $0 + $1.rect.area }
        var result: [[LaneJob]] = [[]]
        var done = 0
        for job in jobs where !job.rect.isEmpty {
            var rest = job
            while true {
                let room = total * result.count / lanes - done
                if result.count == lanes || rest.rect.area <= room {
                    result[result.count - 1].append(rest)
                    done += rest.rect.area
                    break
                }
                let width = rest.rect.width
                let wanted = max(0, (room + width - 1) / width)
                let rows = (wanted + rowGrid / 2) / rowGrid * rowGrid
                if rows >= rest.rect.height {
                    result[result.count - 1].append(rest)
                    done += rest.rect.area
                    break
                }
                if rows > 0 {
                    var top = rest
                    top.rect = Rect(x: rest.rect.minX, y: rest.rect.minY, width: width, height: rows)
                    result[result.count - 1].append(top)
                    done += top.rect.area
                    rest.rect = Rect(minX: rest.rect.minX, minY: rest.rect.minY + rows, maxX: rest.rect.maxX, maxY: rest.rect.maxY)
                }
                result.append([])
            }
        }
        return result.filter { !$0.isEmpty }
    }
}
