import Geometry

/// A ring of pictures taking turns, so that writing the next frame neither copies the whole
/// picture nor allocates a new one. The display device's composer draws its scanout through one,
/// and the X11 mirror reads the X screen through one.
///
/// A published picture is handed to the output's frame source and its RFB viewers, who keep it
/// until a later one replaces it. Writing into it then would make Swift copy all of it first
/// (copy-on-write: 8 MB at 1920x1080, 33 MB at 3840x2160, into a newly allocated array, with its
/// page faults). Instead each frame is written into the oldest picture of the ring, first brought
/// up to date by copying what changed since it was in front (its `stale` region), except what
/// the caller is about to overwrite anyway (`redrawn`: the composer's redrawn area, the X
/// session's planned reads).
///
/// Why three pictures and not two: the picture handed out the time before last is let go only
/// once the frame source, the output's `LiveOutput` and every viewer's event loop have taken the
/// next one, which on a loaded machine (four 4K outputs, eight viewers, two cores) often takes
/// longer than one 16.7 ms tick; and a CopyRect viewer holds the one before until its next update
/// (its moves are encoded against it). With two, such frames copied 33 MB into fresh memory
/// (docs/benchmarks.md, "Memory" and "The X11 mirror's frames in a ring of three"). Should someone
/// still hold the oldest picture, copy-on-write keeps their picture intact at the old cost;
/// `wholeCopies` counts those flips.
public struct PictureRing: Sendable {
    /// Pictures the ring holds besides the front one.
    public static let spareCount = 2
    /// A spare's stale region beyond this many rects becomes its bounding box: bounded work per
    /// flip (more pixels, fewer rows).
    public static let maximumStaleRects = 128

    private struct Spare: Sendable {
        var picture: PixelBuffer
        /// Where the picture differs from the current front.
        var stale: Region
    }

    /// Oldest first.
    private var spares: [Spare] = []
    /// Set by a flip that put a spare in front, until `finish` or `undo`: the storage of that
    /// picture (to tell whether writing it had to copy it whole), and what the flip left out of
    /// bringing it up to date (its stale region and the caller's `redrawn`, intersected only if
    /// `restoreSkipped` needs them).
    private var flipped: (storage: UInt?, stale: Region, redrawn: Region)?
    /// Flips whose reused picture was still held elsewhere, so that Swift copied it whole.
    public private(set) var wholeCopies = 0

    public init() {}

    /// Makes `front` a picture equal to the current front outside `redrawn`, which the caller
    /// writes next, and keeps the current front as the newest spare. Until the ring is full the
    /// front itself is kept as a spare too, so the next write into `front` copies it once and the
    /// ring grows by a picture. Spares of another size than `front` are dropped.
    public mutating func flip(_ front: inout PixelBuffer, redrawn: Region) {
        spares.removeAll { $0.picture.size != front.size }
        guard spares.count == Self.spareCount else {
            spares.append(Spare(picture: front, stale: Region()))
            flipped = nil
            return
        }
        var back = spares.removeFirst()
        flipped = (Self.storage(of: back.picture), back.stale, redrawn)
        for rect in back.stale.subtracting(redrawn).rects { Self.copy(rect, from: front, into: &back.picture) }
        swap(&front, &back.picture)
        spares.append(Spare(picture: back.picture, stale: Region()))
    }

    /// After a flip whose write may not have covered all of `redrawn` (the X server refused a
    /// read, as it does for one outside a screen that has just shrunk): copies all that the flip
    /// left out from the picture that was in front, since which writes landed is not known. The
    /// front is then never older than the one before it.
    public mutating func restoreSkipped(_ front: inout PixelBuffer) {
        guard let skipped = flipped, let previous = spares.last, previous.picture.size == front.size else { return }
        for rect in skipped.stale.intersection(skipped.redrawn).rects { Self.copy(rect, from: previous.picture, into: &front) }
    }

    /// After a flip and the write: the front now differs from every spare by `drawn` as well.
    /// Counts the flip as a whole copy when the reused picture's storage was replaced by writing
    /// into it.
    public mutating func finish(front: PixelBuffer, drawn: Region) {
        if let storage = flipped?.storage, storage != Self.storage(of: front) { wholeCopies += 1 }
        flipped = nil
        for index in spares.indices {
            spares[index].stale.formUnion(drawn)
            if spares[index].stale.rects.count > Self.maximumStaleRects { spares[index].stale = Region(spares[index].stale.bounds) }
        }
    }

    /// After a flip that wrote nothing: the picture that was in front is the front again, and the
    /// one the flip brought up to date is the next to be reused.
    public mutating func undo(_ front: inout PixelBuffer) {
        defer { flipped = nil }
        guard let skipped = flipped, spares.last?.picture.size == front.size, var newest = spares.popLast() else { return }
        swap(&front, &newest.picture)
        spares.insert(Spare(picture: newest.picture, stale: skipped.stale.intersection(skipped.redrawn)), at: 0)
    }

    /// Whether the ring holds all its spares, so that no flip copies a picture whole.
    public var isFull: Bool { spares.count == Self.spareCount }

    /// Fills the ring with copies of `front` of their own storage, so that the first flips after a
    /// new picture size reuse a spare instead of copying the picture viewers hold whole into a
    /// fresh allocation (13-20 ms a flip at 3840x2160, docs/benchmarks.md "Warm-up"). Spares of
    /// the same size are kept: call `reset` first when `front` was replaced outside a flip.
    public mutating func fill(from front: PixelBuffer) {
        spares.removeAll { $0.picture.size != front.size }
        while spares.count < Self.spareCount {
            spares.append(Spare(picture: front.ownedCopy(), stale: Region()))
        }
    }

    /// Forgets the spares (the front was replaced, or drawn over outside a flip).
    public mutating func reset() { spares.removeAll(); flipped = nil }

    /// The address of the picture's pixels (its array storage), compared, never dereferenced.
    private static func storage(of picture: PixelBuffer) -> UInt? {
        picture.pixels.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
    }

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
