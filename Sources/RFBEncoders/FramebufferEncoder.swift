import Geometry
import NIOCore
import Pixels
import RFB

/// One RFB rectangle encoding on the server side.
///
/// An encoder is a value owned by one viewer connection: it holds whatever per-connection state
/// the encoding needs (ZRLE's zlib stream, for instance), so two viewers never share one. It reads
/// canonical pixels from a `PixelView`, converts them to the viewer's format with the given
/// translator, and writes complete rectangles (12-byte header per RFC 6143 §7.6.1 included) to
/// `output`.
public protocol FramebufferEncoder {
    /// The encoding number written in the rectangle headers.
    var encoding: Encoding { get }

    /// Encodes `rect` (which lies inside `frame`) and returns how many rectangles it wrote; an
    /// encoder may split a large rect into several (the caller counts them for the update header).
    mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator, into output: inout ByteBuffer) -> Int

    /// The zlib compression level 0...9 the viewer asked for with a CompressLevel pseudo-encoding,
    /// or nil for the encoder's default. Encoders without compression ignore it.
    mutating func setCompressLevel(_ level: Int?)

    /// The JPEG quality level 0...9 the viewer asked for with a QualityLevel pseudo-encoding, or nil
    /// when it asked for none (then the encoder must stay lossless). Lossless encodings ignore it.
    mutating func setQualityLevel(_ level: Int?)

    /// Whether the rectangles encoded next may be lossy at all (the server turns it off for a
    /// lossless refresh). False keeps the viewer's QualityLevel in force for everything else it
    /// governs, but sends exact pixels. Lossless encodings ignore it.
    mutating func setLossyAllowed(_ allowed: Bool)

    /// The rectangles written lossy since the last call, and forgets them: the server owes the
    /// viewer an exact refresh of those areas once they stop changing.
    mutating func takeLossyAreas() -> [Rect]
}

extension FramebufferEncoder {
    /// Encodings without zlib have no compression level to honour.
    public mutating func setCompressLevel(_ level: Int?) {}
    /// Lossless encodings have no quality to trade.
    public mutating func setQualityLevel(_ level: Int?) {}
    /// Lossless encodings are never lossy.
    public mutating func setLossyAllowed(_ allowed: Bool) {}
    /// Lossless encodings write nothing that needs a refresh.
    public mutating func takeLossyAreas() -> [Rect] { [] }
}

extension ByteBuffer {
    /// Writes an RFB rectangle header (RFC 6143 §7.6.1): x, y, width, height as U16, then the S32
    /// encoding type.
    public mutating func writeRectangleHeader(_ rect: Rect, encoding: Encoding) {
        writeInteger(UInt16(truncatingIfNeeded: rect.x))
        writeInteger(UInt16(truncatingIfNeeded: rect.y))
        writeInteger(UInt16(truncatingIfNeeded: rect.width))
        writeInteger(UInt16(truncatingIfNeeded: rect.height))
        writeInteger(encoding.rawValue)
    }
}
