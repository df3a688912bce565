import CXCB
import Glibc

/// Text between viewers and the X selections CLIPBOARD and PRIMARY (ICCCM §2, "Peer-to-Peer
/// Communication by Means of Selections").
///
/// Viewer text is offered by owning both selections from a small InputOnly window and answering
/// SelectionRequest for UTF8_STRING, STRING (Latin-1) and TARGETS. Text copied in X is noticed
/// through XFIXES SelectSelectionInput (fixesproto, "Selection Tracking"): when another client
/// takes a selection, it is converted to UTF8_STRING into a property of the window and read when
/// the SelectionNotify arrives. Large transfers (INCR) are not done: text beyond `maximumBytes` or
/// the server's request size is left out, and logged.
final class X11ClipboardBridge {
    static let maximumBytes = 1 << 20

    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection
    private let log: (String) -> Void
    private let window: xcb_window_t
    private let clipboardAtom: xcb_atom_t
    private let utf8Atom: xcb_atom_t
    private let targetsAtom: xcb_atom_t
    private let incrAtom: xcb_atom_t
    private let selectionNotifyCode: UInt8?
    private var selections: [xcb_atom_t] { [clipboardAtom, xcb_atom_t(XCB_ATOM_PRIMARY.rawValue)] }
    /// The text this side last offered or read, to tell real changes from echoes.
    private var known = ""
    private var owned: String?
    private var changed: String?

    init(connection: X11Connection, xfixesEventBase: UInt8?, log: @escaping (String) -> Void) throws {
        self.connection = connection
        self.log = log
        clipboardAtom = try connection.atom("CLIPBOARD")
        utf8Atom = try connection.atom("UTF8_STRING")
        targetsAtom = try connection.atom("TARGETS")
        incrAtom = try connection.atom("INCR")
        let c = connection.raw
        window = connection.newID()
        xcb_create_window(c, 0, window, connection.root, -1, -1, 1, 1, 0, UInt16(XCB_WINDOW_CLASS_INPUT_ONLY.rawValue),
                          xcb_visualid_t(XCB_COPY_FROM_PARENT), 0, nil)
        selectionNotifyCode = xfixesEventBase.map { $0 &+ UInt8(XCB_XFIXES_SELECTION_NOTIFY) }
        if selectionNotifyCode != nil {
            for selection in [clipboardAtom, xcb_atom_t(XCB_ATOM_PRIMARY.rawValue)] {
                xcb_xfixes_select_selection_input(c, window, selection,
                                                  UInt32(XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER.rawValue))
            }
        } else {
            log("\(connection.display) has no XFIXES: text copied in X does not reach viewers")
        }
        connection.flush()
    }

    deinit {
        guard !connection.isBroken else { return }
        xcb_destroy_window(connection.raw, window)
        connection.flush()
    }

    /// Text copied in X since the last call.
    func take() -> String? {
        defer { changed = nil }
        return changed
    }

    /// A viewer's text: owned as both selections until another client takes them.
    func offer(_ text: String) {
        guard text.utf8.count <= min(Self.maximumBytes, connection.maximumRequestBytes - 64) else {
            log("clipboard text of \(text.utf8.count) bytes is too large to offer to X; ignored")
            return
        }
        owned = text
        known = text
        for selection in selections {
            xcb_set_selection_owner(connection.raw, window, selection, UInt32(XCB_CURRENT_TIME))
        }
        connection.flush()
    }

    /// Handles the selection events; false when `event` is not one of them.
    func handle(_ event: UnsafePointer<xcb_generic_event_t>) -> Bool {
        let type = event.pointee.response_type & 0x7f
        if let code = selectionNotifyCode, type == code {
            let e = UnsafeRawPointer(event).assumingMemoryBound(to: xcb_xfixes_selection_notify_event_t.self).pointee
            if e.owner != window && e.owner != xcb_window_t(XCB_NONE) {
                xcb_convert_selection(connection.raw, window, e.selection, utf8Atom, e.selection, e.selection_timestamp)
                connection.flush()
            }
            return true
        }
        switch Int32(type) {
        case XCB_SELECTION_NOTIFY:
            let e = UnsafeRawPointer(event).assumingMemoryBound(to: xcb_selection_notify_event_t.self).pointee
            if e.requestor == window { received(e) }
            return true
        case XCB_SELECTION_REQUEST:
            answer(UnsafeRawPointer(event).assumingMemoryBound(to: xcb_selection_request_event_t.self).pointee)
            return true
        case XCB_SELECTION_CLEAR:
            return true
        default:
            return false
        }
    }

    /// The owner converted (or failed to convert) a selection into our property.
    private func received(_ e: xcb_selection_notify_event_t) {
        guard e.property != xcb_atom_t(XCB_NONE) else {
            // No UTF8_STRING from this owner; ask for Latin-1 STRING once.
            if e.target == utf8Atom {
                xcb_convert_selection(connection.raw, window, e.selection, xcb_atom_t(XCB_ATOM_STRING.rawValue), e.selection, e.time)
                connection.flush()
            }
            return
        }
        let c = connection.raw
        let words = UInt32(Self.maximumBytes / 4)
        guard let reply = xcb_get_property_reply(c, xcb_get_property(c, 1, window, e.property, xcb_atom_t(XCB_GET_PROPERTY_TYPE_ANY.rawValue), 0, words), nil) else {
            return
        }
        defer { free(reply) }
        let r = reply.pointee
        if r.type == incrAtom || r.bytes_after > 0 {
            log("X selection text over \(Self.maximumBytes) bytes (or sent incrementally) is not passed to viewers")
            xcb_delete_property(c, window, e.property)
            connection.flush()
            return
        }
        guard r.format == 8, let value = xcb_get_property_value(reply) else { return }
        let bytes = UnsafeRawBufferPointer(start: value, count: Int(xcb_get_property_value_length(reply)))
        let text = r.type == xcb_atom_t(XCB_ATOM_STRING.rawValue)
            ? String(bytes.map { Character(Unicode.Scalar($0)) }) : String(decoding: bytes, as: UTF8.self)
        guard text != known else { return }
        known = text
        changed = text
    }

    /// Another client asks for the text we own (ICCCM §2.2): write it to the requested property and
    /// tell the requestor, or refuse with property None.
    private func answer(_ e: xcb_selection_request_event_t) {
        let c = connection.raw
        let property = e.property == xcb_atom_t(XCB_NONE) ? e.target : e.property
        var ok = false
        if let owned, e.owner == window, selections.contains(e.selection) {
            if e.target == targetsAtom {
                var targets = [targetsAtom, utf8Atom, xcb_atom_t(XCB_ATOM_STRING.rawValue)]
                xcb_change_property(c, UInt8(XCB_PROP_MODE_REPLACE.rawValue), e.requestor, property,
                                    xcb_atom_t(XCB_ATOM_ATOM.rawValue), 32, UInt32(targets.count), &targets)
                ok = true
            } else if e.target == utf8Atom || e.target == xcb_atom_t(XCB_ATOM_STRING.rawValue) {
                let bytes: [UInt8] = e.target == utf8Atom
                    ? Array(owned.utf8) : owned.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : UInt8(ascii: "?") }
                bytes.withUnsafeBytes { p in
                    _ = xcb_change_property(c, UInt8(XCB_PROP_MODE_REPLACE.rawValue), e.requestor, property, e.target, 8,
                                            UInt32(p.count), p.baseAddress)
                }
                ok = true
            }
        }
        var notify = xcb_selection_notify_event_t()
        notify.response_type = UInt8(XCB_SELECTION_NOTIFY)
        notify.time = e.time
        notify.requestor = e.requestor
        notify.selection = e.selection
        notify.target = e.target
        notify.property = ok ? property : xcb_atom_t(XCB_NONE)
        // SendEvent takes exactly 32 bytes, which is the size of every core event.
        var bytes = [CChar](repeating: 0, count: 32)
        withUnsafeBytes(of: &notify) { src in
            bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: src.prefix(32))) }
        }
        xcb_send_event(c, 0, e.requestor, 0, bytes)
        connection.flush()
    }
}
