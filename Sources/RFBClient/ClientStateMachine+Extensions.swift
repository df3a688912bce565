import Geometry
import NIOCore
import RFB

/// The viewer's messages of the rfbproto extensions. Each may be sent only once the server has
/// confirmed the extension (`confirmedExtensions`); the machine does not stop a caller who sends
/// them earlier, which is how tests provoke a server's refusal.
extension ClientStateMachine {
    /// SetDesktopSize (rfbproto "SetDesktopSize"): ask for a framebuffer size and screen layout.
    /// The answer is an ExtendedDesktopSize rectangle of reason `.thisClient` (`.desktopLayout`).
    public func setDesktopSize(_ layout: DesktopLayout) -> ByteBuffer {
        Self.message(.setDesktopSize(layout))
    }

    /// EnableContinuousUpdates (rfbproto): start continuous updates of `rect` (the whole
    /// framebuffer when nil), or stop them; the server answers a stop with EndOfContinuousUpdates.
    public func enableContinuousUpdates(_ enable: Bool, rect: Rect? = nil) -> ByteBuffer {
        Self.message(.enableContinuousUpdates(enable: enable, rect: rect ?? framebuffer.bounds))
    }

    /// ClientFence (rfbproto): at most 64 payload bytes. The answer to a request arrives as `.fence`.
    public func fence(flags: FenceFlags, payload: [UInt8] = []) -> ByteBuffer {
        Self.message(.fence(flags: flags, payload: payload))
    }

    /// QEMU Extended Key Event (rfbproto "QEMU Extended Key Event Message"): a key with its XT keycode.
    public func qemuKeyEvent(down: Bool, keysym: UInt32, keycode: UInt32) -> ByteBuffer {
        Self.message(.qemuExtendedKeyEvent(down: down, keysym: keysym, keycode: keycode))
    }

    /// A PointerEvent for buttons 1 to 15 (bit n is button n + 1). Once the server confirmed
    /// ExtendedMouseButtons, masks using button 8 or above go in the seven-byte form and bit 7 of
    /// the short form is never set (it is the marker); before that only buttons 1 to 8 travel.
    public func pointerEvent(buttons: UInt16, x: Int, y: Int) -> ByteBuffer {
        if confirmedExtensions.contains(.extendedMouseButtons) {
            return buttons > 0x7f ? Self.message(.extendedPointerEvent(buttonMask: buttons, x: x, y: y))
                                  : Self.message(.pointerEvent(buttonMask: UInt8(buttons), x: x, y: y))
        }
        return Self.message(.pointerEvent(buttonMask: UInt8(truncatingIfNeeded: buttons), x: x, y: y))
    }

    /// An extended ClientCutText (rfbproto "Extended Clipboard Pseudo-Encoding").
    public func clipboard(_ message: ExtendedClipboardMessage) -> ByteBuffer {
        Self.message(.extendedClientCutText(message))
    }

    /// Answers a held SyncNext fence once the message after it is complete (rfbproto
    /// "ServerFence": the response follows everything the next message affected).
    mutating func releaseHeldFence() -> [ClientAction] {
        guard let held = heldFence, update == nil, isConnected else { return [] }
        guard held.armed else {
            heldFence?.armed = true
            return []
        }
        heldFence = nil
        var out = ByteBuffer()
        out.writeClientMessage(.fence(flags: held.response, payload: held.payload))
        return [.send(out)]
    }
}
