import Geometry
import Pixels

/// Finds a large single-colour area inside a rectangle, so the Tight encoder can send it as one
/// FillCompression rect of a few bytes and compress only what surrounds it.
///
/// The method is the one TightVNC, libvncserver and TigerVNC use: scan the rect in 16x16 blocks;
/// at the first solid block, grow the area to the right and downwards block by block (keeping the
/// largest rectangle seen), accept it when it covers at least `minimumArea` pixels, then extend
/// its edges pixel by pixel. Colours are compared as canonical `0x00RRGGBB`, so the X byte of the
/// frame never matters.
enum TightSolidAreaSearch {
    static let blockSize = 16
    /// Rects smaller than this are not searched: the fill rects would save less than their
    /// headers cost.
    static let minimumSearchArea = 4096
    /// The smallest area worth its own fill rect (as libvncserver's MIN_SOLID_SUBRECT_SIZE).
    static let minimumArea = 2048

    @inline(__always)
    private static func isSolid(_ r: Rect, _ colour: UInt32, in frame: PixelView) -> Bool {
        for y in r.minY..<r.maxY {
            let row = frame.row(y)
            for x in r.minX..<r.maxX where row[x] & 0x00ff_ffff != colour { return false }
        }
        return true
    }

    /// The colour of `r` if all its pixels share it.
    private static func solidColour(_ r: Rect, in frame: PixelView) -> UInt32? {
        let colour = frame[r.minX, r.minY] & 0x00ff_ffff
        return isSolid(r, colour, in: frame) ? colour : nil
    }

    /// The first large solid area of `rect` (or `rect` itself when it is all one colour), with
    /// its colour; nil when there is none.
    static func find(in rect: Rect, of frame: PixelView) -> (area: Rect, colour: UInt32)? {
        var by = rect.minY
        while by < rect.maxY {
            let bh = min(blockSize, rect.maxY - by)
            var bx = rect.minX
            while bx < rect.maxX {
                let bw = min(blockSize, rect.maxX - bx)
                if let colour = solidColour(Rect(x: bx, y: by, width: bw, height: bh), in: frame) {
                    let best = grow(from: Point(x: bx, y: by), within: rect, colour: colour, in: frame)
                    if best.area >= minimumArea || best == rect {
                        return (extend(best, within: rect, colour: colour, in: frame), colour)
                    }
                }
                bx += bw
            }
            by += bh
        }
        return nil
    }

    /// The largest solid rectangle with its top-left at `origin`, grown in whole blocks (rows of
    /// blocks downwards, each as wide as the solid run allows but no wider than the row above).
    private static func grow(from origin: Point, within rect: Rect, colour: UInt32, in frame: PixelView) -> Rect {
        var widthLimit = rect.maxX - origin.x
        var best = Rect(x: origin.x, y: origin.y, width: 0, height: 0)
        var y = origin.y
        while y < rect.maxY {
            let h = min(blockSize, rect.maxY - y)
            var w = 0
            while w < widthLimit {
                let cw = min(blockSize, widthLimit - w)
                if !isSolid(Rect(x: origin.x + w, y: y, width: cw, height: h), colour, in: frame) { break }
                w += cw
            }
            if w == 0 { break }
            widthLimit = w
            let candidate = Rect(x: origin.x, y: origin.y, width: w, height: y + h - origin.y)
            if candidate.area > best.area { best = candidate }
            y += h
        }
        return best
    }

    /// Extends `area` up, down, left and right by whole pixel rows and columns of `colour`.
    private static func extend(_ area: Rect, within rect: Rect, colour: UInt32, in frame: PixelView) -> Rect {
        var a = area
        while a.minY > rect.minY && isSolid(Rect(x: a.minX, y: a.minY - 1, width: a.width, height: 1), colour, in: frame) {
            a = Rect(x: a.minX, y: a.minY - 1, width: a.width, height: a.height + 1)
        }
        while a.maxY < rect.maxY && isSolid(Rect(x: a.minX, y: a.maxY, width: a.width, height: 1), colour, in: frame) {
            a = Rect(x: a.minX, y: a.minY, width: a.width, height: a.height + 1)
        }
        while a.minX > rect.minX && isSolid(Rect(x: a.minX - 1, y: a.minY, width: 1, height: a.height), colour, in: frame) {
            a = Rect(x: a.minX - 1, y: a.minY, width: a.width + 1, height: a.height)
        }
        while a.maxX < rect.maxX && isSolid(Rect(x: a.maxX, y: a.minY, width: 1, height: a.height), colour, in: frame) {
            a = Rect(x: a.minX, y: a.minY, width: a.width + 1, height: a.height)
        }
        return a
    }
}
