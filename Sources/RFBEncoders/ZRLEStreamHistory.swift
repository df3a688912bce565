import ZlibStreams

/// The last uncompressed bytes a ZRLE connection's zlib stream has taken: the dictionary a stream
/// needs to continue it (`ZRLELane`, docs/architecture.md "Encoding on all cores"). Deflate's
/// matches may reach 32 KiB back (RFC 1951 §2.2), but no restart takes more than
/// `DeflateStream.recentDictionaryBytes`, so that much is kept.
final class ZRLEStreamHistory {
    static let window = DeflateStream.recentDictionaryBytes
    /// At least the last `window` bytes (all of them while fewer), and at most twice as many, so
    /// that appending moves bytes down only once per window.
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(2 * Self.window) }

    func append(_ data: UnsafeRawBufferPointer) {
        if data.count >= Self.window {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: data[(data.count - Self.window)...])
            return
        }
        if bytes.count + data.count > 2 * Self.window {
            bytes.removeFirst(bytes.count - (Self.window - data.count))
        }
        bytes.append(contentsOf: data)
    }

    /// The last `window` bytes (or all, while fewer).
    var tail: ArraySlice<UInt8> { bytes[max(0, bytes.count - Self.window)...] }
}
