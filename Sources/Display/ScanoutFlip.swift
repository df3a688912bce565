import Geometry
import Pixels

/// A ring of scanout pictures taking turns, so that recomposing a damaged area neither copies the
/// whole picture nor allocates a new one (the approach of the X11 mirror's `FrameFlip`, one picture
/// deeper).
///
/// A composed picture is handed to the output's frame source and its RFB viewers, who keep it
/// until the next one replaces it. Drawing into it then would make Swift copy all of it first
/// (copy-on-write: 8 MB at 1920×1080, 33 MB at 3840×2160) into a newly allocated array. Instead
/// each tick draws into the oldest picture of the ring, first brought up to date by copying only
/// what changed since it was in front (its `stale` region).
///
/// Why three pictures and not two: the picture handed out the tick before last is let go only
/// once the frame source, the output's `LiveOutput` and every viewer's event loop have taken the
/// next one, which on a loaded machine (four 4K outputs, eight viewers, two cores) often takes
/// longer than one 16.7 ms tick. With two pictures each such tick copied 33 MB into a fresh
/// allocation, and the freed copies piled up in the allocator (docs/benchmarks.md, "Memory").
/// Should someone still hold the oldest picture, Swift's copy-on-write keeps their picture intact
/// at the old cost; `wholeCopies` counts those ticks.
struct ScanoutFlip: Sendable {
    /// Pictures the ring holds besides the front one.
    static let spareCount = 2
    /// A spare's stale region beyond this many rects becomes its bounding box.
    static let maximumStaleRects = 128

    private struct Spare {
        var picture: PixelBuffer
        /// Where the picture differs from the current front.
        var stale: Region
    }

    /// Oldest first.
    private var spares: [Spare] = []
    /// The storage of the picture taken for the current flip, to tell afterwards whether drawing
    /// into it had to copy it whole.
    private var reusedStorage: UInt?
    /// Flips whose reused picture was still held elsewhere, so that Swift copied it whole.
    private(set) var wholeCopies = 0

    /// Makes `front` a picture equal to the current front outside `redrawn`, which the caller
    /// draws next, and keeps the current front as the newest spare. Until the ring is full the
    /// front itself is kept as a spare too, so the next write into `front` copies it once and the
    /// ring grows by a picture.
    mutating func flip(_ front: inout PixelBuffer, redrawn: Region) {
        spares.removeAll { $0.picture.size != front.size }
        guard spares.count == Self.spareCount else {
            spares.append(Spare(picture: front, stale: Region()))
            reusedStorage = nil
            return
        }
        var back = spares.removeFirst()
        reusedStorage = Self.storage(of: back.picture)
        for rect in back.stale.subtracting(redrawn).rects { Self.copy(rect, from: front, into: &back.picture) }
        swap(&front, &back.picture)
        spares.append(Spare(picture: back.picture, stale: Region()))
    }

    /// After a flip: the front now differs from every spare by `drawn` as well. Counts the flip
    /// as a whole copy when the reused picture's storage was replaced by drawing into it.
    mutating func finish(front: PixelBuffer, drawn: Region) {
        for index in spares.indices {
            spares[index].stale.formUnion(drawn)
            // Bounded work per flip: past this many rects the box is copied (more pixels, fewer rows).
            if spares[index].stale.rects.count > Self.maximumStaleRects { spares[index].stale = Region(spares[index].stale.bounds) }
        }
        if let reused = reusedStorage, reused != Self.storage(of: front) { wholeCopies += 1 }
        reusedStorage = nil
    }

    /// Whether the ring holds all its spares, so that no flip copies a picture whole.
    var isFull: Bool { spares.count == Self.spareCount }

    /// Fills the ring with copies of `front` of its own storage, so that the first flips after a
    /// new picture size reuse a spare instead of copying the picture held by viewers whole into a
    /// fresh allocation. Those copies took 13-20 ms per flip at 3840x2160 (33 MB into new memory,
    /// docs/benchmarks.md "Warm-up"), on the first frames viewers waited for; filling the ring
    /// while the output is idle after its first frame takes them off that path.
    mutating func fill(from front: PixelBuffer) {
        spares.removeAll { $0.picture.size != front.size }
        while spares.count < Self.spareCount {
            spares.append(Spare(picture: front.ownedCopy(), stale: Region()))
        }
    }

    /// Forgets the spares (the front was replaced by a picture of another size).
    mutating func reset() { spares.removeAll(); reusedStorage = nil }

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
