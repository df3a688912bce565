import Geometry
import NIOCore
import RFB

/// Where one viewer's encoder finds rectangles another viewer already encoded, and leaves its own
/// (DESIGN.md: output that needs no per-connection state may be encoded once for all viewers that
/// share a format; docs/architecture.md, "Encode once").
///
/// The implementation decides which rectangles may be shared: it knows which frame the pixels come
/// from, the pixel format and encoding, and where this viewer's pixels differ from the frame's (a
/// cursor drawn in). `FramebufferUpdateEncoder` only asks for rectangles of stateless encodings.
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
