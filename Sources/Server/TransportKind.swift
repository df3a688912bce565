/// What the first bytes of a connection on the RFB port say about its transport.
///
/// A native RFB viewer sends nothing before the server's ProtocolVersion (RFC 6143 §7.1.1); a
/// browser opens with an HTTP GET upgrade request (RFC 6455 §4.1). So bytes that begin with "GET "
/// mean WebSocket, anything else sent unprompted means RFB (the RFB handshake then judges it), and a
/// proper prefix of "GET " means: wait for more.
enum TransportKind: Equatable, Sendable {
    case rfb
    case webSocket
    case undecided

    private static let httpGet = Array("GET ".utf8)

    static func classify<Bytes: Collection>(_ bytes: Bytes) -> TransportKind where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(httpGet.count))
        guard head == Array(httpGet.prefix(head.count)) else { return .rfb }
        return head.count == httpGet.count ? .webSocket : .undecided
    }
}
