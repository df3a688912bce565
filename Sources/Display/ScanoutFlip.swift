import Geometry
import Pixels

/// Two scanout pictures taking turns, so that recomposing a damaged area does not copy the whole
/// picture (the approach of the X11 mirror's `FrameFlip`).
///
/// A composed picture is handed to the output's frame source and its RFB viewers, who keep it
/// until the next one replaces it. Drawing into it then would make Swift copy all of it first
/// (copy-on-write: 8 MB at 1920×1080, 33 MB at 3840×2160, on every tick however little changed).
/// Instead each tick draws into the other picture, the one handed out the tick before last, which
/// by then nobody holds: it is first brought up to date by copying only what changed since
/// (`stale`). Should someone still hold it, Swift's copy-on-write keeps their picture intact, at
/// the old cost.
struct ScanoutFlip {
    /// The picture that is not the front one; equal to it except in `stale`.
    private var spare: PixelBuffer?
    private var stale = Region()

    /// Makes `front` the spare picture brought up to date (equal to the current front outside
    /// `redrawn`, which the caller draws next), and keeps the current front as the spare. Without
    /// a spare of the same size the front becomes the spare as well, so the next write copies it
    /// once and the two take turns from then on.
    mutating func flip(_ front: inout PixelBuffer, redrawn: Region) {
        guard var back = spare.take(), back.size == front.size else { spare = front; stale = Region(); return }
        for rect in stale.subtracting(redrawn).rects { Self.copy(rect, from: front, into: &back) }
        swap(&front, &back)
        spare = consume back
        stale = Region()
    }

    /// After a flip: the front now differs from the spare by `drawn`.
    mutating func finish(drawn: Region) { stale = drawn }

    /// Forgets the spare (the front was replaced by a picture of another size).
    mutating func reset() { spare = nil; stale = Region() }

    private static func copy(_ rect: Rect, from source: PixelBuffer, into target: inout PixelBuffer) {
        let r = rect.intersection(source.bounds)
        guard !r.isEmpty else { return }
        let width = source.width
        source.pixels.withUnsafeBufferPointer { from in
            target.pixels.withUnsafeMutableBufferPointer { to in
                for y in r.minY..<r.maxY {
                    let offset = y * width + r.minX
                    (to.baseAddress! + offset).update(from: from.baseAddress! + offset, count: r.width)
                }
            }
        }
    }
}
