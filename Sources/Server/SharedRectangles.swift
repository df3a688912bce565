import Geometry
import NIOCore
import Pixels
import RFB
import RFBEncoders

/// One viewer's view of the cache for one update: its frame, format and encoding, and the part
/// of its picture that is its own (a cursor drawn in), which is never shared.
struct SharedRectangles: EncodedRectangleSharing {
    let cache: EncodedRectangleCache
    let sequence: UInt64
    let format: PixelFormat
    let encoding: Encoding
    /// Where this viewer's pixels may differ from the frame's.
    let privateArea: Rect?

    private func key(_ rect: Rect) -> EncodedRectangleCache.Key? {
        if let privateArea, privateArea.intersects(rect) { return nil }
        return EncodedRectangleCache.Key(rect: rect, format: format, encoding: encoding)
    }

    func encodedRectangle(_ rect: Rect) -> (bytes: ByteBuffer, count: Int)? {
        guard let key = key(rect), let entry = cache.entry(for: key, sequence: sequence) else { return nil }
        return (entry.bytes, entry.count)
    }

    func share(_ rect: Rect, bytes: ByteBuffer, count: Int) {
        guard let key = key(rect) else { return }
        cache.store(EncodedRectangleCache.Entry(bytes: bytes, count: count), for: key, sequence: sequence)
    }
}
