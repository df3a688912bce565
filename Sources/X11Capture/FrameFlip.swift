import Display
import Geometry
import Pixels

/// Two frames taking turns, so that reading the X screen into the frame does not copy all of it.
///
/// A published frame is shared with the output (and its viewers) until the next one replaces it;
/// writing into it then makes Swift copy the whole array first (8 MB at 1920x1080, about a
/// millisecond, on every frame however little changed). Instead, each frame is read into the
/// other buffer, the one published the time before, which by then nobody else holds: it is
/// brought up to date by copying only what changed since (`stale`), then the damage is read into
/// it. When nothing changed, the flip is undone, so the published frame stays the front one.
/// The mirror prepares the spare when it reads a whole screen (`prepareSpare`), so that no frame
/// pays for the first copy.
struct FrameFlip {
    /// The buffer that is not the front frame; equal to it except in `stale`.
    private var spare: PixelBuffer?
    private var stale = Region()

    /// Makes `frame` the spare buffer brought up to date (equal to the current frame), and keeps
    /// the current frame as the spare. Without a spare of the same size, the current frame becomes
    /// the spare as well, so the next write into `frame` copies it once and the two take turns
    /// from then on.
    mutating func flip(_ frame: inout PixelBuffer) {
        guard var back = spare.take(), back.size == frame.size else { spare = frame; stale = Region(); return }
        for rect in stale.rects { Self.copy(rect, from: frame, into: &back) }
        stale = Region()
        swap(&frame, &back)
        spare = consume back
    }

    /// After a flip: the frame now differs from the spare by `damage` (a frame of another size
    /// replaces the spare later); with no damage the flip is undone.
    mutating func finish(_ frame: inout PixelBuffer, damage: FrameDamage) {
        guard damage.isEmpty else { stale = damage.region; return }
        guard var back = spare.take(), back.size == frame.size else { return }
        swap(&frame, &back)
        spare = consume back
    }

    /// Forgets the spare (after the frame was replaced or drawn over outside a flip).
    mutating func reset() { spare = nil; stale = Region() }

    /// Makes the spare a copy of `frame` with storage of its own. Called where a whole copy costs
    /// no frame its latency (the mirror's start, a reconnect): without it, the first flip shares
    /// the published frame as the spare, and the first read into it copies the whole frame while
    /// a viewer waits (a fresh allocation of 8 MB at 1920x1080, 33 MB at 3840x2160, with its page
    /// faults).
    mutating func prepareSpare(for frame: PixelBuffer) {
        spare = frame.ownedCopy()
        stale = Region()
    }

    private static func copy(_ rect: Rect, from source: PixelBuffer, into target: inout PixelBuffer) {
        let r = rect.intersection(source.bounds)
        guard !r.isEmpty else { return }
        let width = source.width
        source.pixels.withUnsafeBufferPointer { from in
            target.pixels.withUnsafeMutableBufferPointer { to in
                for y in r.y..<(r.y + r.height) {
                    let offset = y * width + r.x
                    (to.baseAddress! + offset).update(from: from.baseAddress! + offset, count: r.width)
                }
            }
        }
    }
}
