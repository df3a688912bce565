import Geometry
import NIOConcurrencyHelpers
import NIOCore
import Pixels
import RFB

/// One output's encoded rectangles of its latest frame, shared by viewers that use the same pixel
/// format and stateless encoding, so that N such viewers encode each changed rectangle once
/// (docs/architecture.md, "Encode once").
///
/// It holds the rectangles of one frame (the newest sequence offered): a rectangle of a newer
/// frame empties it, and viewers still encoding an older frame neither find nor leave anything.
/// Its bytes are bounded by `byteLimit`. Viewers on different event loops meet here under a lock
/// held only to look up or insert; two viewers missing the same rectangle both encode it, and
/// nobody waits for another's encoder.
final class EncodedRectangleCache: @unchecked Sendable {
    struct Key: Hashable {
        var rect: Rect
        var format: PixelFormat
        var encoding: Encoding
    }

    struct Entry {
        var bytes: ByteBuffer
        var count: Int
    }

    let byteLimit: Int
    private let lock = NIOLock()
    private var sequence: UInt64 = 0
    private var entries: [Key: Entry] = [:]
    private var bytes = 0
    private var hitCount = 0

    init(byteLimit: Int = 64 << 20) { self.byteLimit = byteLimit }

    /// The rectangle as encoded for frame `sequence`, if a viewer left it.
    func entry(for key: Key, sequence: UInt64) -> Entry? {
        lock.withLock {
            guard sequence == self.sequence, let entry = entries[key] else { return nil }
            hitCount += 1
            return entry
        }
    }

    /// Keeps `entry` for frame `sequence`, unless the frame is older than the newest seen or the
    /// cache is full.
    func store(_ entry: Entry, for key: Key, sequence: UInt64) {
        lock.withLock {
            if sequence > self.sequence {
                self.sequence = sequence
                entries.removeAll(keepingCapacity: true)
                bytes = 0
            }
            guard sequence == self.sequence, entries[key] == nil, bytes + entry.bytes.readableBytes <= byteLimit else { return }
            entries[key] = entry
            bytes += entry.bytes.readableBytes
        }
    }

    /// How many rectangles viewers took from the cache instead of encoding them.
    var hits: Int { lock.withLock { hitCount } }
    /// Bytes held now.
    var byteCount: Int { lock.withLock { bytes } }
}
