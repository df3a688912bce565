import Foundation
import NIOCore

/// The `base64` subprotocol's payload coding (see `WebSocketSubprotocol`): each text message is the
/// standard base64 (RFC 4648 §4, with padding) of one run of RFB bytes.
enum Base64Framing {
    /// The base64 text of `bytes`, as a text frame's payload.
    static func encode(_ bytes: ByteBuffer) -> ByteBuffer {
        let text = Data(bytes.readableBytesView).base64EncodedData()
        return ByteBuffer(bytes: text)
    }

    /// The bytes a text message carries, or nil when it is not valid padded base64 (which the
    /// framer answers with close code 1007, RFC 6455 §7.4.1).
    static func decode(_ text: ByteBuffer) -> ByteBuffer? {
        guard let data = Data(base64Encoded: Data(text.readableBytesView)) else { return nil }
        return ByteBuffer(bytes: data)
    }
}
