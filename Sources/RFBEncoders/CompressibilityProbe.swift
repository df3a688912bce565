/// Tells, far more cheaply than deflate itself, whether deflate could shrink a span of bytes at
/// all: fresh noise, video and other incompressible pixels are then stored (zlib level 0) instead
/// of being searched for matches that do not exist, which is most of what ZRLE costs on them.
///
/// Deflate (RFC 1951) gains in two ways, and the probe bounds both:
/// - *Literal coding* (Huffman): never better than the bytes' order-0 (Shannon) entropy. The probe
///   computes the collision entropy -log2(Σ p²) instead, which is never above the Shannon entropy
///   and needs no logarithm: a span with at least `minimumEntropyBits` bits per byte by that
///   measure can gain at most ~1.5% through literal coding.
/// - *Matches* (LZ77, at least 3 bytes, up to 32 KiB back): the probe runs an LZ4-style scan
///   with a hash of every 4-byte sequence over the whole band (so repeats across tiles count, as
///   they would in deflate's window), and counts the bytes covered by matches of 4 or more.
///
/// A span is incompressible when both say so. Short matches of exactly 3 bytes are not seen;
/// they save deflate at most a few percent on such data. A class because it owns its tables; one
/// per encoder (and so per connection).
final class CompressibilityProbe {
    /// Order-0 entropy (bits per byte) from which literal coding cannot pay.
    static let minimumEntropyBits = 7.9
    /// 2^minimumEntropyBits: the collision entropy reaches it when n² >= Σ c² × this.
    private static let entropyFactor = 238.86
    /// Matched bytes (as a fraction of the span) below which matches cannot pay either.
    static let maximumMatchedFraction = 0.02
    /// Deflate's window (RFC 1951 §2): matches reach at most this far back.
    static let window = 32768

    private static let hashBits = 14
    /// Position + 1 of the last 4-byte sequence with each hash in the current band; 0 is empty.
    private let table: UnsafeMutablePointer<Int32>
    private let histogram: UnsafeMutablePointer<Int32>
    private var band: UnsafePointer<UInt8>?
    /// Positions below this are in the table.
    private var indexed = 0

    init() {
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
        indexed = 0
        table.update(repeating: 0, count: 1 << Self.hashBits)
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

    /// Bytes of `start..<end` covered by matches (4 bytes or longer, at most `window` back) found
    /// by a greedy hash scan; every position is hashed, so a repeat at any distance is found.
    private func matchedBytes(from start: Int, to end: Int, in bytes: UnsafePointer<UInt8>) -> Int {
        let raw = UnsafeRawPointer(bytes)
        let shift = UInt32(32 - Self.hashBits)
        var matched = 0
        var p = max(start, indexed)
        let last = end - 4
        while p <= last {
            let word = raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)
            let h = Int((word &* 2_654_435_761) >> shift)
            let candidate = Int(table[h]) - 1
            table[h] = Int32(p + 1)
            if candidate >= 0, p - candidate <= Self.window,
               raw.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == word {
                var length = 4
                while p + length < end && bytes[candidate + length] == bytes[p + length] { length += 1 }
                matched += length
                p += length
            } else {
                p += 1
            }
        }
        indexed = end
        return matched
    }
}
