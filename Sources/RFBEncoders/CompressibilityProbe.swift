/// Tells, far more cheaply than deflate itself, whether deflate could shrink a span of bytes at
/// all: fresh noise, video and other incompressible pixels are then stored (zlib level 0) instead
/// of being searched for matches that do not exist, which is most of what ZRLE costs on them.
///
/// Deflate (RFC 1951) gains in two ways, and the probe bounds both:
/// - *Literal coding* (Huffman): never better than the bytes' order-0 (Shannon) entropy. The probe
///   computes the collision entropy -log2(Σ p²) instead, which is never above the Shannon entropy
///   and needs no logarithm: a span with at least `minimumEntropyBits` bits per byte by that
///   measure can gain at most ~1.5% through literal coding.
/// - *Matches* (LZ77, at least 3 bytes, up to 32 KiB back): the probe runs an LZ4-style hash scan
///   of 4-byte sequences over the whole band (so repeats across tiles count, as they would in
///   deflate's window) and counts the bytes covered by the matches it finds. To cost a fraction of
///   a full scan, it remembers only positions that are multiples of 3 and looks up only positions
///   that are multiples of 4: for a repeat at any distance d, some position p of every 12
///   consecutive ones has p ≡ 0 (mod 4) and p − d ≡ 0 (mod 3) (Chinese remainder theorem), so
///   every repeat of `guaranteedMatchLength` bytes or more is looked up where its earlier copy was
///   remembered; each match found is extended both ways to its full length. The table has one
///   slot per hash (8192 of 4 bytes: an L1 data cache), so a remembered position can be
///   overwritten before its repeat comes: near repeats are nearly always found, and of a long or
///   frequent repeat far back enough samples are.
///
/// A span is incompressible when both say so. Shorter repeats may go unseen; on high-entropy
/// data they save deflate little (a match costs about 3 bytes of codes). A class because it owns
/// its tables; one per encoder (and so per connection).
final class CompressibilityProbe {
    /// Order-0 entropy (bits per byte) from which literal coding cannot pay.
    static let minimumEntropyBits = 7.9
    /// 2^minimumEntropyBits: the collision entropy reaches it when n² >= Σ c² × this.
    private static let entropyFactor = 238.86
    /// Matched bytes (as a fraction of the span) below which matches cannot pay either.
    static let maximumMatchedFraction = 0.02
    /// Deflate's window (RFC 1951 §2): matches reach at most this far back.
    static let window = 32768
    /// Repeats at least this long are always looked up where they were remembered (12 positions
    /// to hit the sampling, plus the 4 bytes hashed).
    static let guaranteedMatchLength = 16
    /// Remembered positions are multiples of this, looked-up positions of `probeStride`.
    private static let insertStride = 3, probeStride = 4
    /// For each phase p mod 12 (four bits each), the distance to the next multiple of 3 or 4.
    private static let steps = 0x123_112_121_123

    private static let hashBits = 13
    /// For each hash, `base` + position + 1 of the last 4-byte sequence with it in the current
    /// band; a value not above `base` is empty (left from an earlier band, or never set).
    private let table: UnsafeMutablePointer<Int32>
    private let histogram: UnsafeMutablePointer<Int32>
    private var band: UnsafePointer<UInt8>?
    /// Positions below this are in the table.
    private var indexed = 0
    /// Raised past every value of the last band by `begin`, so that a new band starts with an
    /// empty table without clearing its 32 KiB: a typing frame's few small bands would otherwise
    /// spend more on the clearing than on the scan (docs/benchmarks.md, "The probe's table").
    private var base = 0
    /// `base` is taken back to 0, and the table cleared, before it passes this, so that `base`
    /// plus a band's positions stays within Int32 (bands are a few MiB).
    private let baseLimit: Int

    /// `baseLimit` is for tests, which need the table's clearing to come soon.
    init(baseLimit: Int = 1 << 30) {
        precondition(baseLimit > 0 && baseLimit <= 1 << 30)
        self.baseLimit = baseLimit
        table = .allocate(capacity: 1 << Self.hashBits)
        table.initialize(repeating: 0, count: 1 << Self.hashBits)
        histogram = .allocate(capacity: 256)
        histogram.initialize(repeating: 0, count: 256)
    }

    deinit {
        table.deallocate()
        histogram.deallocate()
    }

    /// Starts a new band of bytes; spans of it are then asked about in increasing order.
    func begin(_ bytes: UnsafePointer<UInt8>) {
        band = bytes
        // The last band stored at most base + indexed.
        base += indexed
        if base >= baseLimit {
            table.update(repeating: 0, count: 1 << Self.hashBits)
            base = 0
        }
        indexed = 0
    }

    /// Whether deflate could not shrink `band[start..<end]` (with the band's bytes before `start`
    /// in its window) by more than about two percent. Spans must not overlap and must come in
    /// increasing order; bytes skipped between spans are never matched against.
    func isIncompressible(from start: Int, to end: Int) -> Bool {
        guard let band, end - start >= 64 else { return false }
        return hasHighEntropy(band + start, count: end - start)
            && Double(matchedBytes(from: start, to: end, in: band)) < Self.maximumMatchedFraction * Double(end - start)
    }

    /// Whether the bytes' collision entropy -log2(Σ p²) is at least `minimumEntropyBits`, that is
    /// Σ c² × 2^bits <= n² for the byte counts c.
    private func hasHighEntropy(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        histogram.update(repeating: 0, count: 256)
        for i in 0..<count { histogram[Int(bytes[i])] &+= 1 }
        var squares = 0
        for v in 0..<256 { squares &+= Int(histogram[v]) &* Int(histogram[v]) }
        return Double(squares) * Self.entropyFactor <= Double(count) * Double(count)
    }

    /// Bytes of `start..<end` covered by the matches (4 bytes or longer, at most `window` back)
    /// that a sampled greedy hash scan finds: positions that are multiples of `insertStride` are
    /// remembered, those that are multiples of `probeStride` looked up, in order.
    private func matchedBytes(from start: Int, to end: Int, in bytes: UnsafePointer<UInt8>) -> Int {
        let raw = UnsafeRawPointer(bytes)
        let shift = UInt32(32 - Self.hashBits)
        @inline(__always) func hash(_ word: UInt32) -> Int { Int((word &* 2_654_435_761) >> shift) }
        var matched = 0
        let base = self.base
        var p = max(start, indexed)
        let last = end - 4
        // Positions already counted as matched; a backward extension stops there.
        var covered = p
        // p modulo 12 (= insertStride × probeStride), and which phases remember or look up.
        var phase = p % 12
        let rememberPhases = 0b0010_0100_1001, lookUpPhases = 0b0001_0001_0001
        while p <= last {
            let remember = rememberPhases >> phase & 1 != 0
            let lookUp = lookUpPhases >> phase & 1 != 0
            if remember || lookUp {
                let word = raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)
                let h = hash(word)
                if lookUp {
                    let candidate = Int(table[h]) - base - 1
                    if candidate >= 0, candidate < p, p - candidate <= Self.window,
                       raw.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == word {
                        var (from, to) = (p, p + 4)
                        while to < end && bytes[to - p + candidate] == bytes[to] { to += 1 }
                        while from > covered && from - p + candidate > 0 && bytes[from - 1 - p + candidate] == bytes[from - 1] { from -= 1 }
                        matched += to - from
                        covered = to
                        if remember { table[h] = Int32(base + p + 1) }
                        p = to
                        phase = p % 12
                        continue
                    }
                }
                if remember { table[h] = Int32(base + p + 1) }
            }
            // To the next phase that remembers or looks up: 0→3→4→6→8→9→12.
            let step = Self.steps >> (phase * 4) & 0xf
            p += step
            phase += step
            if phase >= 12 { phase -= 12 }
        }
        indexed = end
        return matched
    }
}
