import NIOCore
import NIOWebSocket

/// Why a browser viewer's WebSocket connection was failed, with the Close status code it was sent
/// (RFC 6455 §7.4.1) and a description for that viewer's log line.
enum WebSocketTransportError: Error, Equatable, CustomStringConvertible {
    case unmaskedFrame
    case reservedBitsSet
    case messageTooLarge(Int)
    case fragmentedControlFrame
    case controlFrameTooLong
    case unfinishedMessage
    case continuationWithoutMessage
    case textOnBinaryConnection
    case invalidBase64
    case unknownOpcode(WebSocketOpcode)

    var closeCode: WebSocketErrorCode {
        switch self {
        case .messageTooLarge: return .messageTooLarge
        case .textOnBinaryConnection: return .unacceptableData
        case .invalidBase64: return .dataInconsistentWithMessage
        case .unmaskedFrame, .reservedBitsSet, .fragmentedControlFrame, .controlFrameTooLong,
             .unfinishedMessage, .continuationWithoutMessage, .unknownOpcode:
            return .protocolError
        }
    }

    var description: String {
        let what: String
        switch self {
        case .unmaskedFrame: what = "the viewer sent an unmasked frame (RFC 6455 §5.1 requires clients to mask)"
        case .reservedBitsSet: what = "a frame has RSV bits set but no extension was negotiated (RFC 6455 §5.2)"
        case .messageTooLarge(let limit): what = "a frame or message is larger than the \(limit >> 20) MiB limit (RFC 6455 §10.4)"
        case .fragmentedControlFrame: what = "a control frame is fragmented (RFC 6455 §5.5)"
        case .controlFrameTooLong: what = "a control frame carries more than 125 bytes (RFC 6455 §5.5)"
        case .unfinishedMessage: what = "a new data message began before the previous one ended (RFC 6455 §5.4)"
        case .continuationWithoutMessage: what = "a continuation frame arrived outside a fragmented message (RFC 6455 §5.4)"
        case .textOnBinaryConnection: what = "a text frame arrived, but the connection carries RFB in binary frames"
        case .invalidBase64: what = "a text frame is not valid base64 (subprotocol base64)"
        case .unknownOpcode(let opcode): what = "a frame has the reserved opcode \(opcode) (RFC 6455 §5.2)"
        }
        return "WebSocket protocol error: \(what); sent Close \(WebSocketTransportError.number(of: closeCode))"
    }

    private static func number(of code: WebSocketErrorCode) -> Int {
        var buffer = ByteBufferAllocator().buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        return Int(buffer.readInteger(as: UInt16.self) ?? 0)
    }
}
