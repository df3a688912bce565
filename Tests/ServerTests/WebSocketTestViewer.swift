import Foundation
import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient

/// An RFB viewer that talks to the server over WebSocket: the hand-rolled client side of RFC 6455
/// (`TestWebSocket`) around RFBClient's state machine and decoders.
final class WebSocketTestViewer: @unchecked Sendable {
    struct ProtocolError: Error, CustomStringConvertible { var description: String }

    let connection: RawTestConnection
    /// The server's 101 response head.
    let responseHead: String
    private var machine = ClientStateMachine(configuration: ClientConfiguration(), decoders: DecoderRegistry.all())
    private let base64: Bool
    private var maskSeed: UInt8 = 1

    private init(connection: RawTestConnection, responseHead: String, base64: Bool) {
        self.connection = connection
        self.responseHead = responseHead
        self.base64 = base64
    }

    /// Connects and completes the WebSocket handshake (not yet RFB).
    static func open(port: Int, protocols: [String] = []) async throws -> WebSocketTestViewer {
        let connection = try await RawTestConnection.connect(port: port, firstBytes: TestWebSocket.handshake(protocols: protocols))
        let head = try await connection.receive("the handshake response") { TestWebSocket.takeHTTPHead(&$0) }
        guard head.hasPrefix("HTTP/1.1 101") else { throw ProtocolError(description: "handshake refused: \(head)") }
        let base64 = TestWebSocket.header(named: "Sec-WebSocket-Protocol", in: head) == "base64"
        return WebSocketTestViewer(connection: connection, responseHead: head, base64: base64)
    }

    /// Sends RFB bytes in one masked frame (binary, or base64 text for the base64 subprotocol).
    func sendRFB(_ bytes: ByteBuffer) async throws {
        let raw = Array(bytes.readableBytesView)
        maskSeed &+= 1
        let mask = [maskSeed, maskSeed &* 3, 0xa5, maskSeed ^ 0x5a]
        if base64 {
            try await connection.send(TestWebSocket.frame(opcode: TestWebSocket.text, payload: Array(Data(raw).base64EncodedData()), mask: mask))
        } else {
            try await connection.send(TestWebSocket.frame(opcode: TestWebSocket.binary, payload: raw, mask: mask))
        }
    }

    /// Runs RFB until the whole framebuffer has arrived in `encoding`, and returns it. Called again,
    /// it asks for a full update once more.
    func picture(encoding: Encoding) async throws -> PixelBuffer {
        var received = Region()
        if machine.isConnected { try await sendRFB(machine.requestUpdate(incremental: false)) }
        while true {
            let frame = try await connection.receive("a WebSocket frame") { TestWebSocket.takeFrame(&$0) }
            guard !frame.masked else { throw ProtocolError(description: "the server masked a frame (RFC 6455 §5.1)") }
            let payload: [UInt8]
            switch frame.opcode {
            case TestWebSocket.binary where !base64, TestWebSocket.continuation:
                payload = frame.payload
            case TestWebSocket.text where base64:
                guard let data = Data(base64Encoded: Data(frame.payload)) else { throw ProtocolError(description: "bad base64 from the server") }
                payload = Array(data)
            default:
                throw ProtocolError(description: "unexpected frame opcode \(frame.opcode) (base64: \(base64))")
            }
            for action in machine.receive(ByteBuffer(bytes: payload)) {
                switch action {
                case .send(let bytes):
                    try await sendRFB(bytes)
                case .connected:
                    try await sendRFB(machine.setEncodings([encoding, .desktopSize, .lastRect]))
                    try await sendRFB(machine.requestUpdate(incremental: false))
                case .framebufferUpdated(let region):
                    received.formUnion(region)
                    if received.contains(machine.framebuffer.bounds) { return machine.framebuffer }
                    try await sendRFB(machine.requestUpdate(incremental: true))
                case .error(let error):
                    throw ProtocolError(description: "RFB error: \(error)")
                case .resized, .nameChanged, .bell, .cutText, .needsMoreData, .desktopLayout, .extensionConfirmed,
                     .endOfContinuousUpdates, .fence, .cursorShape, .cursorMoved, .clipboard:
                    break
                }
            }
        }
    }
}
