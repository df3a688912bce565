import Display
import Geometry
import Pixels

/// A ring of frames taking turns, so that reading the X screen into the frame neither copies all
/// of it nor allocates a new one (the display device's `ScanoutFlip` does the same for composed
/// pictures).
///
/// A published frame is shared with the output (and its viewers) until a later one replaces it;
/// writing into it then makes Swift copy the whole array first into a new allocation (8 MB at
/// 1920x1080, 33 MB at 3840x2160, with its page faults). Instead, each frame is read into the
/// oldest of the ring, which by then nobody else holds. It is brought up to date by copying what
/// changed since it was in front (its `stale` region), except what the coming read overwrites
/// anyway (`redrawn`: the X session knows its damage before it reads). When nothing changed, the
/// flip is undone, so the published frame stays the front one.
///
/// Why two spares and not one: the frame published the time before may still be held by a
/// viewer whose encoder has not yet taken the newer one, and by a CopyRect viewer until its next
/// update (its moves are encoded against it); with one spare such frames were copied whole. Why
/// the read's region is left out: the spare two frames old lags two frames' damage (on a dragged
/// window both its places), most of which the read replaces (docs/benchmarks.md, "The X11
/// mirror's frames in a ring of three"). The mirror fills the ring when it reads a whole screen
/// (`prepareSpare`), so that no frame pays for the first copies.
struct FrameFlip {
    /// Frames the ring holds besides the front one.
    static let spareCount = 2
    /// A spare's stale region beyond this many rects becomes its bounding box: bounded work per
    /// flip (more pixels, fewer rows).
    static let maximumStaleRects = 128

    private struct Spare {
        var picture: PixelBuffer
        /// Where the picture differs from the front frame.
        var stale: Region
    }

    /// Oldest first.
    private var spares: [Spare] = []
    /// Whether the last `flip` put a spare in front (and so can be undone).
    private var flipped = false
    /// The stale part the last flip left for the read to overwrite (`restoreSkipped`).
    private var skipped = Region()
    /// The storage of the spare the last flip put in front, to tell in `finish` whether bringing
    /// it up to date or reading into it had to copy it whole.
    private var reusedStorage: UInt?
    /// Flips whose reused frame was still held elsewhere, so that Swift copied it whole.
    private(set) var wholeCopies = 0

    /// Makes `frame` the oldest spare, equal to the current frame outside `redrawn`, which the
    /// caller overwrites next; keeps the current frame as the newest spare. Until the ring is
    /// full, the current frame is kept as a spare as well, so the next write into `frame` copies
    /// it once and the ring grows by one.
    mutating func flip(_ frame: inout PixelBuffer, redrawn: Region) {
        spares.removeAll { $0.picture.size != frame.size }
        skipped = Region()
        guard spares.count == Self.spareCount else {
            spares.append(Spare(picture: frame, stale: Region()))
            flipped = false
            return
        }
        var back = spares.removeFirst()
        reusedStorage = Self.storage(of: back.picture)
        skipped = back.stale.intersection(redrawn)
        for rect in back.stale.subtracting(redrawn).rects { Self.copy(rect, from: frame, into: &back.picture) }
        swap(&frame, &back.picture)
        spares.append(Spare(picture: back.picture, stale: Region()))
        flipped = true
    }

    /// After a flip whose read may not have overwritten all of `redrawn` (the X server refused a
    /// read, as it does for one outside a screen that has just shrunk): copies all that the flip
    /// left out from the frame that was in front, since which reads landed is not known. The frame
    /// is then never older than the one before it; what the refused batch did read is taken again
    /// with the next damage there, or with the whole screen after the size change.
    mutating func restoreSkipped(_ frame: inout PixelBuffer) {
        guard flipped, let previous = spares.last, previous.picture.size == frame.size else { return }
        for rect in skipped.rects { Self.copy(rect, from: previous.picture, into: &frame) }
        skipped = Region()
    }

    /// After a flip: the frame now differs from every spare by `damage` as well (a frame of another
    /// size replaces the spares at the next flip); with no damage the flip is undone, and the
    /// frame it brought up to date, equal to the front outside what it skipped, is the next to be
    /// reused.
    mutating func finish(_ frame: inout PixelBuffer, damage: FrameDamage) {
        if flipped, let reused = reusedStorage, reused != Self.storage(of: frame) { wholeCopies += 1 }
        reusedStorage = nil
        defer { flipped = false; skipped = Region() }
        guard damage.isEmpty else {
            for index in spares.indices {
                spares[index].stale.formUnion(damage.region)
                if spares[index].stale.rects.count > Self.maximumStaleRects {
                    spares[index].stale = Region(spares[index].stale.bounds)
                }
            }
            return
        }
        guard flipped, var newest = spares.popLast(), newest.picture.size == frame.size else { return }
        swap(&frame, &newest.picture)
        spares.insert(Spare(picture: newest.picture, stale: skipped), at: 0)
    }

    /// Forgets the spares (after the frame was replaced or drawn over outside a flip).
    mutating func reset() { spares = []; flipped = false; skipped = Region(); reusedStorage = nil }

    /// Fills the ring with copies of `frame` of their own storage. Called where whole copies cost
    /// no frame its latency (the mirror's start, a reconnect): without it, the first flips share
    /// the published frame as a spare, and the first reads into it copy the whole frame while a
    /// viewer waits.
    mutating func prepareSpare(for frame: PixelBuffer) {
        spares = (0..<Self.spareCount).map { _ in Spare(picture: frame.ownedCopy(), stale: Region()) }
        flipped = false
        skipped = Region()
    }

    /// The address of the frame's pixels (its array storage), compared, never dereferenced.
    private static func storage(of frame: PixelBuffer) -> UInt? {
        frame.pixels.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
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
