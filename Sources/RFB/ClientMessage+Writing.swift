import Geometry
import NIOCore

extension ByteBuffer {
    /// Writes `message` as RFC 6143 §7.5 and rfbproto lay it out. Values that do not fit their
    /// wire fields (coordinates above 65535, more than 65535 encodings, text longer than 4 GiB,
    /// fence payloads over 64 bytes, more than 255 screens) are a programming error on the
    /// writer's side and are truncated to the field width.
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
            writeWireRect(rect)
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
        case .extendedPointerEvent(let buttonMask, let x, let y):
            // rfbproto "ExtendedMouseButtons Pseudo-encoding": marker bit 7, then the high bits.
            writeInteger(ClientMessage.MessageType.pointerEvent)
            writeInteger(UInt8(buttonMask & 0x7f) | 0x80)
            writeInteger(UInt16(truncatingIfNeeded: x))
            writeInteger(UInt16(truncatingIfNeeded: y))
            writeInteger(UInt8(truncatingIfNeeded: buttonMask >> 7))
        case .clientCutText(let text):
            writeInteger(ClientMessage.MessageType.clientCutText)
            writeRepeatingByte(0, count: 3)
            writeInteger(UInt32(truncatingIfNeeded: text.count))
            writeBytes(text)
        case .extendedClientCutText(let clipboard):
            writeExtendedCutText(clipboard, messageType: ClientMessage.MessageType.clientCutText)
        case .enableContinuousUpdates(let enable, let rect):
            writeInteger(ClientMessage.MessageType.enableContinuousUpdates)
            writeInteger(UInt8(enable ? 1 : 0))
            writeWireRect(rect)
        case .fence(let flags, let payload):
            // Same layout as ServerFence.
            writeFence(flags: flags, payload: payload)
        case .setDesktopSize(let layout):
            let screens = layout.screens.prefix(255)
            writeInteger(ClientMessage.MessageType.setDesktopSize)
            writeInteger(UInt8(0))
            writeInteger(UInt16(truncatingIfNeeded: layout.size.width))
            writeInteger(UInt16(truncatingIfNeeded: layout.size.height))
            writeInteger(UInt8(screens.count))
            writeInteger(UInt8(0))
            for screen in screens { writeScreen(screen) }
        case .qemuExtendedKeyEvent(let down, let keysym, let keycode):
            writeInteger(ClientMessage.MessageType.qemu)
            writeInteger(ClientMessage.QEMUSubmessage.extendedKeyEvent)
            writeInteger(UInt16(down ? 1 : 0))
            writeInteger(keysym)
            writeInteger(keycode)
        }
    }

    /// U16 x, y, width, height.
    private mutating func writeWireRect(_ rect: Rect) {
        writeInteger(UInt16(truncatingIfNeeded: rect.x))
        writeInteger(UInt16(truncatingIfNeeded: rect.y))
        writeInteger(UInt16(truncatingIfNeeded: rect.width))
        writeInteger(UInt16(truncatingIfNeeded: rect.height))
    }
}
