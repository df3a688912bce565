import Geometry
import NIOCore
import Pixels

/// A message from viewer to server in the normal protocol phase (RFC 6143 §7.5 and the rfbproto
/// extensions Porthole speaks).
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
    /// rfbproto "ExtendedMouseButtons Pseudo-encoding": a seven-byte PointerEvent. Bits 0 to 6 of
    /// `buttonMask` travel in the mask byte (whose bit 7 is then the marker), bits 7 and up in the
    /// extra byte after the position; bit 7 is button 8 (back), bit 8 button 9 (forward).
    case extendedPointerEvent(buttonMask: UInt16, x: Int, y: Int)
    /// RFC 6143 §7.5.6: the viewer's clipboard changed; the text is ISO 8859-1 bytes.
    case clientCutText([UInt8])
    /// rfbproto "Extended Clipboard Pseudo-Encoding": ClientCutText with a negative length.
    case extendedClientCutText(ExtendedClipboardMessage)
    /// rfbproto "EnableContinuousUpdates": start (or move) or stop continuous updates of `rect`.
    case enableContinuousUpdates(enable: Bool, rect: Rect)
    /// rfbproto "ClientFence": at most 64 payload bytes.
    case fence(flags: FenceFlags, payload: [UInt8])
    /// rfbproto "SetDesktopSize": the framebuffer size and screen layout the viewer asks for.
    case setDesktopSize(DesktopLayout)
    /// rfbproto "QEMU Extended Key Event Message" (QEMU client message 255, submessage 0): a key
    /// with its XT keycode.
    case qemuExtendedKeyEvent(down: Bool, keysym: UInt32, keycode: UInt32)

    /// Message-type bytes (RFC 6143 §7.5, rfbproto "Client to Server Messages").
    public enum MessageType {
        public static let setPixelFormat: UInt8 = 0
        public static let setEncodings: UInt8 = 2
        public static let framebufferUpdateRequest: UInt8 = 3
        public static let keyEvent: UInt8 = 4
        public static let pointerEvent: UInt8 = 5
        public static let clientCutText: UInt8 = 6
        public static let enableContinuousUpdates: UInt8 = 150
        public static let fence: UInt8 = Fence.messageType
        public static let setDesktopSize: UInt8 = 251
        public static let qemu: UInt8 = 255
    }

    /// The message's name for a log line ("SetPixelFormat", "type 99" for unknown types).
    public static func name(ofType type: UInt8) -> String {
        switch type {
        case MessageType.setPixelFormat: return "SetPixelFormat"
        case MessageType.setEncodings: return "SetEncodings"
        case MessageType.framebufferUpdateRequest: return "FramebufferUpdateRequest"
        case MessageType.keyEvent: return "KeyEvent"
        case MessageType.pointerEvent: return "PointerEvent"
        case MessageType.clientCutText: return "ClientCutText"
        case MessageType.enableContinuousUpdates: return "EnableContinuousUpdates"
        case MessageType.fence: return "ClientFence"
        case MessageType.setDesktopSize: return "SetDesktopSize"
        case MessageType.qemu: return "QEMU client message"
        default: return "type \(type)"
        }
    }

    /// QEMU client message submessage types (rfbproto "QEMU Client Message").
    public enum QEMUSubmessage {
        public static let extendedKeyEvent: UInt8 = 0
    }
}
