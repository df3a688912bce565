import CXCB
import Glibc

/// Viewers' keys and pointer, played into the X server through XTEST (xtestproto, FakeInput), as
/// if typed on its keyboard and moved with its mouse.
///
/// Keysyms become keycodes through the server's keyboard mapping. A keysym only on the Shift
/// column is typed with Shift held around it (viewers send `A`, not Shift then `a`); a keysym the
/// keyboard lacks is put on a spare keycode with ChangeKeyboardMapping, which is reused for it and
/// recycled (least recently used first) when all spares are taken, and cleared again on shutdown.
final class X11InputInjector {
    static let shiftL: UInt32 = 0xffe1
    static let shiftR: UInt32 = 0xffe2

    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection
    private var keymap: X11Keymap?
    /// Spare keycodes this injector put keysyms on, least recently used first.
    private var borrowed: [(keycode: Int, keysym: UInt32)] = []
    /// The keycode each held keysym was pressed with, so its release lifts the same key.
    private var held: [UInt32: Int] = [:]
    private var buttons: UInt16 = 0

    init(connection: X11Connection) { self.connection = connection }

    deinit {
        guard !connection.isBroken, let keymap else { return }
        for (keycode, _) in borrowed where held.values.contains(keycode) == false {
            var row = [UInt32](repeating: 0, count: keymap.perKeycode)
            xcb_change_keyboard_mapping(connection.raw, 1, xcb_keycode_t(keycode), UInt8(keymap.perKeycode), &row)
        }
        connection.flush()
    }

    /// Someone changed the keyboard mapping (a MappingNotify arrived): read it again when next needed.
    func mappingChanged() { keymap = nil }

    func key(down: Bool, keysym: UInt32) {
        guard connection.hasXTest, let map = currentKeymap() else { return }
        if !down {
            guard let keycode = held.removeValue(forKey: keysym) ?? map.locate(keysym)?.keycode else { return }
            fake(XCB_KEY_RELEASE, keycode)
            connection.flush()
            return
        }
        if let (keycode, column) = map.locate(keysym) {
            let shiftHeld = held[Self.shiftL] != nil || held[Self.shiftR] != nil
            let shiftKey = map.locate(Self.shiftL)?.keycode
            let shifted = map.keysyms(of: keycode).dropFirst().first ?? 0
            if column == 1 && !shiftHeld, let shiftKey {
                fake(XCB_KEY_PRESS, shiftKey); fake(XCB_KEY_PRESS, keycode); fake(XCB_KEY_RELEASE, shiftKey)
            } else if column == 0 && shiftHeld && shifted != 0 && shifted != keysym {
                // The viewer holds Shift but sent the unshifted keysym: lift Shift around the key.
                let shifts = held.filter { $0.key == Self.shiftL || $0.key == Self.shiftR }.map(\.value)
                for s in shifts { fake(XCB_KEY_RELEASE, s) }
                fake(XCB_KEY_PRESS, keycode)
                for s in shifts { fake(XCB_KEY_PRESS, s) }
            } else {
                fake(XCB_KEY_PRESS, keycode)
            }
            held[keysym] = keycode
        } else if let keycode = borrow(for: keysym) {
            fake(XCB_KEY_PRESS, keycode)
            held[keysym] = keycode
        }
        connection.flush()
    }

    func pointer(buttonMask: UInt16, x: Int, y: Int) {
        guard connection.hasXTest else { return }
        let c = connection.raw
        let rx = Int16(clamping: x), ry = Int16(clamping: y)
        xcb_test_fake_input(c, UInt8(XCB_MOTION_NOTIFY), 0, UInt32(XCB_CURRENT_TIME), connection.root, rx, ry, 0)
        let changed = buttons ^ buttonMask
        // RFC 6143 §7.5.5: mask bit n is button n + 1 (4 and 5 are the wheel, 6 and 7 horizontal);
        // bits 7 and 8 are buttons 8 and 9 (Extended Mouse Buttons).
        for bit in 0..<9 where changed & (1 << bit) != 0 {
            let type = buttonMask & (1 << bit) != 0 ? XCB_BUTTON_PRESS : XCB_BUTTON_RELEASE
            xcb_test_fake_input(c, UInt8(type), UInt8(bit + 1), UInt32(XCB_CURRENT_TIME), connection.root, rx, ry, 0)
        }
        buttons = buttonMask
        connection.flush()
    }

    private func fake(_ type: Int32, _ keycode: Int) {
        xcb_test_fake_input(connection.raw, UInt8(type), UInt8(keycode), UInt32(XCB_CURRENT_TIME), connection.root, 0, 0, 0)
    }

    private func currentKeymap() -> X11Keymap? {
        if let keymap { return keymap }
        let c = connection.raw
        let setup = connection.setup.pointee
        let minKey = Int(setup.min_keycode), maxKey = Int(setup.max_keycode)
        guard minKey >= 8, maxKey >= minKey, maxKey <= 255 else { return nil }
        let count = maxKey - minKey + 1
        guard let reply = xcb_get_keyboard_mapping_reply(c, xcb_get_keyboard_mapping(c, xcb_keycode_t(minKey), UInt8(count)), nil) else {
            return nil
        }
        defer { free(reply) }
        let per = Int(reply.pointee.keysyms_per_keycode)
        let length = Int(xcb_get_keyboard_mapping_keysyms_length(reply))
        guard per > 0, per <= 64, length == per * count, let syms = xcb_get_keyboard_mapping_keysyms(reply) else { return nil }
        let map = X11Keymap(minKeycode: minKey, perKeycode: per, keysyms: Array(UnsafeBufferPointer(start: syms, count: length)))
        keymap = map
        return map
    }

    /// A spare keycode carrying `keysym`: the one already lent to it, a free spare, or the least
    /// recently used borrowed key not held down.
    private func borrow(for keysym: UInt32) -> Int? {
        guard var map = currentKeymap() else { return nil }
        if let i = borrowed.firstIndex(where: { $0.keysym == keysym }) {
            let entry = borrowed.remove(at: i)
            borrowed.append(entry)
            return entry.keycode
        }
        let keycode: Int
        if let free = map.spareKeycodes.first {
            keycode = free
        } else if let i = borrowed.firstIndex(where: { entry in !held.values.contains(entry.keycode) }) {
            keycode = borrowed.remove(at: i).keycode
        } else {
            return nil
        }
        var row = map.row(for: keysym)
        xcb_change_keyboard_mapping(connection.raw, 1, xcb_keycode_t(keycode), UInt8(map.perKeycode), &row)
        map.assign(row, to: keycode)
        keymap = map
        borrowed.append((keycode, keysym))
        return keycode
    }
}
