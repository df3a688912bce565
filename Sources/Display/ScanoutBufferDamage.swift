import Geometry

/// What each of a consumer's scanout buffers lacks of the output's current picture
/// (docs/protocol.md §6.7, §7.19): the union of the damage of every frame published since the
/// server last wrote that buffer. Writing a buffer then means copying only that region from the
/// scanout, not the whole picture.
///
/// This is not the damage a FrameReady reports. That is relative to the frame the consumer last
/// got, whichever buffer it came in; this is relative to what one buffer holds, which may be a
/// frame from long ago when the consumer held that buffer across many frames (§7.19 "Ownership").
///
/// A new set of buffers (a subscription, or a resize that replaces them, §7.18) lacks the whole
/// picture. A region that grows past `maximumRects` is kept as its bounding box: it then copies a
/// little more than needed, never less, and the bookkeeping per frame stays bounded.
public struct ScanoutBufferDamage: Sendable, Equatable {
    public static let maximumRects = 64

    public let size: Size
    private var stale: [Region]

    /// `bufferCount` buffers of a picture of `size`, none of them written yet.
    public init(bufferCount: Int, size: Size) {
        self.size = size
        stale = Array(repeating: Region(Rect(size: size)), count: bufferCount)
    }

    public var bufferCount: Int { stale.count }

    /// What buffer `index` lacks; empty for an index out of range.
    public func staleRegion(of index: Int) -> Region {
        stale.indices.contains(index) ? stale[index] : Region()
    }

    /// A frame with `damage` was published: every buffer now lacks that damage too (clipped to the
    /// picture).
    public mutating func record(_ damage: Region) {
        let clipped = damage.intersection(Rect(size: size))
        guard !clipped.isEmpty else { return }
        for index in stale.indices {
            var region = stale[index].union(clipped)
            if region.rects.count > Self.maximumRects { region = Region(region.bounds) }
            stale[index] = region
        }
    }

    /// Buffer `index` is about to be brought up to date: returns the region to copy into it and
    /// forgets it, since afterwards the buffer lacks nothing.
    public mutating func takeStaleRegion(of index: Int) -> Region {
        guard stale.indices.contains(index) else { return Region() }
        defer { stale[index] = Region() }
        return stale[index]
    }
}
