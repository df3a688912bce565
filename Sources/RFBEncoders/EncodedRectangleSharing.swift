import Geometry
import NIOCore
import RFB

/// Where one viewer's encoder finds rectangles another viewer already encoded, and leaves its own
/// (DESIGN.md: output that needs no per-connection state may be encoded once for all viewers that
/// share a format; docs/architecture.md, "Encode once").
///
/// The implementation decides which rectangles may be shared: it knows which frame the pixels come
/// from, the pixel format and encoding, and where this viewer's pixels differ from the frame's (a
/// cursor drawn in). `FramebufferUpdateEncoder` only asks for rectangles of stateless encodings,
/// and asks from several threads at once when it encodes an update in lanes (`UpdateParallelism`),
/// so implementations must be thread-safe.
public protocol EncodedRectangleSharing {
    /// The encoded rectangle(s) for `rect` and how many RFB rectangles they are, if shared.
    func encodedRectangle(_ rect: Rect) -> (bytes: ByteBuffer, count: Int)?
    /// Offers the encoding of `rect` this viewer just made.
    func share(_ rect: Rect, bytes: ByteBuffer, count: Int)
}

extension FramebufferUpdateEncoder {
    /// Encodings whose bytes depend only on the pixels, the rectangle and the pixel format: Raw
    /// (RFC 6143 §7.7.1), RRE (§7.7.3) and Hextile (§7.7.4, colours carry over only within one
    /// rectangle). ZRLE and Tight keep zlib streams per connection, so their bytes differ per viewer.
    public static let shareableEncodings: Set<Encoding> = [.raw, .rre, .hextile]
}

extension EncodedRectangleSharing {
    /// Writes another viewer's encoding of `rect` when there is one; otherwise encodes it with
    /// `encode` and offers the result. Returns the rectangle count.
    func writeShared(_ rect: Rect, into out: inout ByteBuffer, encode: (inout ByteBuffer) -> Int) -> Int {
        if let shared = encodedRectangle(rect) {
            out.writeImmutableBuffer(shared.bytes)
            return shared.count
        }
        let start = out.writerIndex
        let count = encode(&out)
        // A copy of its own, so the shared bytes do not keep this whole message alive.
        var bytes = ByteBuffer()
        bytes.writeImmutableBuffer(out.getSlice(at: start, length: out.writerIndex - start)!)
        share(rect, bytes: bytes, count: count)
        return count
    }
}
