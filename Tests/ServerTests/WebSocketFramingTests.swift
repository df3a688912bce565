import NIOCore
import Testing
@testable import Server

/// The pure parts of the WebSocket transport: transport sniffing, subprotocol choice, base64
/// framing and the handshake refusals.
struct WebSocketFramingTests {
    @Test(arguments: [
        ("", TransportKind.undecided), ("G", .undecided), ("GE", .undecided), ("GET", .undecided),
        ("GET ", .webSocket), ("GET /websockify HTTP/1.1\r\n", .webSocket),
        ("RFB 003.008\n", .rfb), ("GEX", .rfb), ("get ", .rfb), ("POST / HTTP/1.1", .rfb), ("\u{16}\u{03}\u{01}", .rfb),
    ])
    func classifiesFirstBytes(text: String, kind: TransportKind) {
        #expect(TransportKind.classify(Array(text.utf8)) == kind)
    }

    @Test(arguments: [
        ([String](), nil as WebSocketSubprotocol?), (["binary"], .binary), (["base64"], .base64),
        (["base64, binary"], .binary), (["base64", "binary"], .binary), ([" Base64 "], .base64), (["chat"], nil),
    ])
    func negotiatesSubprotocol(offered: [String], chosen: WebSocketSubprotocol?) {
        #expect(WebSocketSubprotocol.negotiate(offered: offered) == chosen)
    }

    @Test func base64RoundTripsEveryByteValue() throws {
        let bytes = ByteBuffer(bytes: (0...255).map { UInt8($0) } + [0, 1])
        let text = Base64Framing.encode(bytes)
        #expect(text.readableBytesView.allSatisfy { $0 < 0x80 })
        #expect(Base64Framing.decode(text) == bytes)
    }

    @Test func base64MatchesRFC4648Vectors() {
        // RFC 4648 §10.
        for (plain, coded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            #expect(Base64Framing.encode(ByteBuffer(string: plain)) == ByteBuffer(string: coded))
            #expect(Base64Framing.decode(ByteBuffer(string: coded)) == ByteBuffer(string: plain))
        }
    }

    @Test(arguments: ["Zm9", "Zm9v!", "Z===", "Zm 9v"])
    func base64RejectsMalformedText(text: String) {
        #expect(Base64Framing.decode(ByteBuffer(string: text)) == nil)
    }

    @Test func closeCodesFollowRFC6455() {
        #expect(WebSocketTransportError.messageTooLarge(16 << 20).closeCode == .messageTooLarge)
        #expect(WebSocketTransportError.unmaskedFrame.closeCode == .protocolError)
        #expect(WebSocketTransportError.fragmentedControlFrame.closeCode == .protocolError)
        #expect(WebSocketTransportError.invalidBase64.closeCode == .dataInconsistentWithMessage)
        #expect(WebSocketTransportError.textOnBinaryConnection.closeCode == .unacceptableData)
        #expect(WebSocketTransportError.messageTooLarge(16 << 20).description.contains("16 MiB"))
        #expect(WebSocketTransportError.unmaskedFrame.description.hasSuffix("sent Close 1002"))
    }
}
