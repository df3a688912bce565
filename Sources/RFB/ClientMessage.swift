import Geometry
import NIOCore
import Pixels

/// A message from viewer to server in the normal protocol phase (RFC 6143 §7.5).
public enum ClientMessage: Hashable, Sendable {
    /// RFC 6143 §7.5.1: the format the viewer wants pixels in from now on.
    case setPixelFormat(PixelFormat)
    /// RFC 6143 §7.5.2: encodings and pseudo-encodings the viewer accepts, most preferred first.
    case setEncodings([Encoding])
    /// RFC 6143 §7.5.3: the viewer wants the contents of `rect`; `incremental` asks only for changes.
    case framebufferUpdateRequest(incremental: Bool, rect: Rect)
    /// RFC 6143 §7.5.4: a key, identified by its X keysym, was pressed or released.
    case keyEvent(down: Bool, keysym: UInt32)
    /// RFC 6143 §7.5.5: pointer position and the state of buttons 1 to 8 (bit 0 is button 1).
    case pointerEvent(buttonMask: UInt8, x: Int, y: Int)
    /// RFC 6143 §7.5.6: the viewer's clipboard changed; the text is ISO 8859-1 bytes.
    case clientCutText([UInt8])

    /// Message-type bytes (RFC 6143 §7.5).
    public enum MessageType {
        public static let setPixelFormat: UInt8 = 0
        public static let setEncodings: UInt8 = 2
        public static let framebufferUpdateRequest: UInt8 = 3
        public static let keyEvent: UInt8 = 4
        public static let pointerEvent: UInt8 = 5
        public static let clientCutText: UInt8 = 6
    }
}

extension ByteBuffer {
    /// Writes `message` as RFC 6143 §7.5 lays it out. Values that do not fit their wire fields
    /// (coordinates above 65535, more than 65535 encodings, text longer than 4 GiB) are a
    /// programming error on the writer's side and are truncated to the field width.
    public mutating func writeClientMessage(_ message: ClientMessage) {
        switch message {
        case .setPixelFormat(let format):
            writeInteger(ClientMessage.MessageType.setPixelFormat)
            writeRepeatingByte(0, count: 3)
            writePixelFormat(format)
        case .setEncodings(let encodings):
            writeInteger(ClientMessage.MessageType.setEncodings)
            writeInteger(UInt8(0))
            writeInteger(UInt16(truncatingIfNeeded: encodings.count))
            for encoding in encodings.prefix(Int(UInt16.max)) { writeInteger(encoding.rawValue) }
        case .framebufferUpdateRequest(let incremental, let rect):
            writeInteger(ClientMessage.MessageType.framebufferUpdateRequest)
            writeInteger(UInt8(incremental ? 1 : 0))
            writeInteger(UInt16(truncatingIfNeeded: rect.x))
            writeInteger(UInt16(truncatingIfNeeded: rect.y))
            writeInteger(UInt16(truncatingIfNeeded: rect.width))
            writeInteger(UInt16(truncatingIfNeeded: rect.height))
        case .keyEvent(let down, let keysym):
            writeInteger(ClientMessage.MessageType.keyEvent)
            writeInteger(UInt8(down ? 1 : 0))
            writeRepeatingByte(0, count: 2)
            writeInteger(keysym)
        case .pointerEvent(let buttonMask, let x, let y):
            writeInteger(ClientMessage.MessageType.pointerEvent)
            writeInteger(buttonMask)
            writeInteger(UInt16(truncatingIfNeeded: x))
            writeInteger(UInt16(truncatingIfNeeded: y))
        case .clientCutText(let text):
            writeInteger(ClientMessage.MessageType.clientCutText)
            writeRepeatingByte(0, count: 3)
            writeInteger(UInt32(truncatingIfNeeded: text.count))
            writeBytes(text)
        }
    }
}
