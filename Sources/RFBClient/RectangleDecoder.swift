import Geometry
import NIOCore
import Pixels
import RFB

/// Errors from decoding a server's rectangle data.
public enum RectangleDecodingError: Error, Equatable, CustomStringConvertible {
    /// Not all of the rectangle's bytes have arrived yet; retry with more bytes.
    case needMoreData
    /// The bytes contradict the encoding's rules.
    case malformed(String)

    public var description: String {
        switch self {
        case .needMoreData: return "need more data"
        case .malformed(let why): return "malformed rectangle: \(why)"
        }
    }
}

/// One RFB rectangle encoding on the client side: the inverse of a `FramebufferEncoder`.
///
/// `decode` either consumes one whole rectangle's payload (everything after the 12-byte header)
/// from `input` and draws it into `framebuffer`, or throws `.needMoreData` leaving `input` and its
/// own state untouched, so a reader can call it again after any partial read. Decoders with
/// stream state (ZRLE's zlib) only touch that state once all the bytes are there.
public protocol RectangleDecoder {
    var encoding: Encoding { get }
    mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                         into framebuffer: inout PixelBuffer) throws(RectangleDecodingError)
}
