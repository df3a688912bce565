import Foundation

/// How RFB bytes travel inside WebSocket messages, chosen by the Sec-WebSocket-Protocol handshake
/// header (RFC 6455 §1.9, §4.2.2 item 5.4).
///
/// `binary` carries the bytes as they are in binary frames; it is what current noVNC and websockify
/// use, and what a client that names no subprotocol gets. `base64` carries them as base64 text in
/// text frames; old noVNC versions offered it for browsers without binary WebSocket support.
enum WebSocketSubprotocol: String, Equatable, Sendable {
    case binary
    case base64

    /// The subprotocol the server answers for a client that offered `headerValues` (each a
    /// comma-separated list, RFC 6455 §11.3.4): `binary` when it is offered, else `base64` when that
    /// is offered, else nil (no Sec-WebSocket-Protocol in the response; binary framing).
    static func negotiate(offered headerValues: [String]) -> WebSocketSubprotocol? {
        let offered = Set(headerValues.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        if offered.contains(WebSocketSubprotocol.binary.rawValue) { return .binary }
        if offered.contains(WebSocketSubprotocol.base64.rawValue) { return .base64 }
        return nil
    }
}
