import Geometry
import Pixels

/// A short horizontal segment of the new frame with some detail in it, which `MoveDetector` looks
/// for in the previous frame: where it is found there, the content may have moved by the distance
/// between the two places. Segments without detail (a flat background) are not probes, since they
/// are found everywhere.
struct MoveProbe {
    /// Pixels per probe: long enough that a segment with detail is rarely found by chance.
    static let length = 32
    /// Places in an area that probes are taken from (at 1/6, 2/6, ... of its height).
    static let rows = 5
    /// At each place, probes are taken from rows of every phase modulo this, so that the previous
    /// frame need only be searched on every `bandHeight`-th row: whatever the vertical offset,
    /// one probe of each place lands on a searched row.
    static let bandHeight = 8
    /// How many rows from its place probes are looked for.
    static let searchDepth = 48
    /// Polynomial hash multiplier (odd, so multiplying by it loses no bits mod 2^64).
    static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let multiplierToLength: UInt64 = (0..<length).reduce(1) { acc, _ in acc &* multiplier }

    let origin: Point
    let hash: UInt64

    /// An offset that probes were found at, with the probe (in the new frame) to verify it from.
    struct Candidate {
        var dx: Int
        var dy: Int
        var anchor: Point
        var votes: Int
    }

    /// The hash of the `length` pixels of `row` from `x`: Σ p[x+i]·M^(length-1-i), mod 2^64.
    @inline(__always)
    static func hash(_ row: UnsafePointer<UInt32>, from x: Int) -> UInt64 {
        var h: UInt64 = 0
        for i in 0..<length { h = h &* multiplier &+ UInt64(row[x + i]) }
        return h
    }

    /// The segments with the most detail (colour changes) on rows of a few places in `bounds`, one
    /// per row, lying in `damage` so that they are in content that changed.
    static func pick(in bounds: Rect, damage: Region, of current: PixelView) -> [MoveProbe] {
        var probes: [MoveProbe] = []
        for k in 1...rows {
            // One probe for each row phase (row mod bandHeight); a row without detail (a blank
            // row between lines of text) leaves its phase to a row further down.
            var y = bounds.minY + bounds.height * k / (rows + 1)
            let last = min(bounds.maxY, y + searchDepth)
            var covered = [Bool](repeating: false, count: bandHeight), missing = bandHeight
            while y < last && missing > 0 {
                let phase = (y - bounds.minY) % bandHeight
                if !covered[phase], let x = mostDetailedSegment(ofRow: y, in: bounds, damage: damage, of: current) {
                    probes.append(MoveProbe(origin: Point(x: x, y: y), hash: hash(current.row(y), from: x)))
                    covered[phase] = true
                    missing -= 1
                }
                y += 1
            }
        }
        return probes
    }

    /// The start of the segment of row `y` inside `damage` with the most detail enough to be a
    /// probe (the first of equals); segments start every half length. Only the best is kept: no
    /// list to build and sort per row, which cost more than the counting on whole-screen damage.
    private static func mostDetailedSegment(ofRow y: Int, in bounds: Rect, damage: Region, of current: PixelView) -> Int? {
        let row = current.row(y)
        var best: Int?
        var bestDetail = length / 8 - 1
        for span in damage.band(containingRow: y) {
            let maxX = min(span.maxX, bounds.maxX)
            var x = max(span.minX, bounds.minX)
            while x + length <= maxX {
                var detail = 0
                for i in (x + 1)..<(x + length) where row[i] != row[i - 1] { detail &+= 1 }
                if detail > bestDetail { best = x; bestDetail = detail }
                x += length / 2
            }
        }
        return best
    }

    /// The offsets at which `probes` occur in `previous` inside `bounds`, most votes (probes found
    /// at that offset) first, then the shortest. One rolling-hash pass over every `bandHeight`-th
    /// row of `bounds`; a filter of the probes' hashes keeps the per-pixel work to two multiplies,
    /// an add and a test.
    static func offsets(of probes: [MoveProbe], foundIn previous: PixelView, within bounds: Rect) -> [Candidate] {
        // A 4096-bit filter of the probes' hashes: few positions get past it to the probe list.
        var filter = [UInt64](repeating: 0, count: 64)
        for p in probes { filter[Int(p.hash >> 58)] |= 1 << ((p.hash >> 52) & 63) }
        var found: [Point: Candidate] = [:]
        let maximumOffsets = 1024
        for y in stride(from: bounds.minY, to: bounds.maxY, by: bandHeight) {
            let row = previous.row(y)
            var h = hash(row, from: bounds.minX)
            var x = bounds.minX
            while true {
                if filter[Int(h >> 58)] & (1 << ((h >> 52) & 63)) != 0 {
                    for p in probes where p.hash == h {
                        let offset = Point(x: p.origin.x - x, y: p.origin.y - y)
                        if offset == .zero { continue }
                        if found[offset] != nil {
                            found[offset]!.votes += 1
                        } else if found.count < maximumOffsets {
                            found[offset] = Candidate(dx: offset.x, dy: offset.y, anchor: p.origin, votes: 1)
                        }
                    }
                }
                let next = x + length
                if next >= bounds.maxX { break }
                h = h &* multiplier &+ UInt64(row[next]) &- UInt64(row[x]) &* multiplierToLength
                x += 1
            }
        }
        return found.values.sorted {
            ($0.votes, -(abs($0.dx) + abs($0.dy))) > ($1.votes, -(abs($1.dx) + abs($1.dy)))
        }
    }
}
