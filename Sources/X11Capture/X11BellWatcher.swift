import CXCB

/// The X display's bell, from XKB (XKB protocol, "Bell Notify"): SelectEvents(BellNotify) on the
/// core keyboard sends a BellNotify whenever any client rings it, the core protocol's Bell request
/// (an xterm's `\a`) included. The mirror passes it on as RFB Bell (RFC 6143 §7.6.3), as x11vnc
/// does; a viewer then rings its own.
final class X11BellWatcher {
    private let eventCode: UInt8
    private var rang = false

    init(connection: X11Connection, eventBase: UInt8) {
        eventCode = eventBase
        let bell = UInt16(XCB_XKB_EVENT_TYPE_BELL_NOTIFY.rawValue)
        // Every detail of BellNotify is selected (selectAll), so no details list follows.
        xcb_xkb_select_events(connection.raw, xcb_xkb_device_spec_t(XCB_XKB_ID_USE_CORE_KBD.rawValue), bell, 0, bell, 0, 0, nil)
        connection.flush()
    }

    /// Notes a BellNotify; whether `event` was one of XKB's (its other events, which this
    /// connection does not select, are dropped here too).
    func handle(_ event: UnsafePointer<xcb_generic_event_t>) -> Bool {
        guard event.pointee.response_type & 0x7f == eventCode else { return false }
        // XKB's events share one code; the second byte says which (xkbType).
        if UnsafeRawPointer(event).load(fromByteOffset: 1, as: UInt8.self) == UInt8(XCB_XKB_BELL_NOTIFY) { rang = true }
        return true
    }

    /// Whether the bell rang since the last call.
    func take() -> Bool {
        defer { rang = false }
        return rang
    }
}
