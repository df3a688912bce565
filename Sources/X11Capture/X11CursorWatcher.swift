import CXCB
import Display
import Geometry
import Glibc

/// The pointer image of the X display, from XFIXES (fixesproto, "Cursor Image" and "Cursor
/// Notification"): SelectCursorInput(DisplayCursor) sends a CursorNotify whenever the displayed
/// cursor changes, and GetCursorImage returns it as premultiplied ARGB with its hotspot.
final class X11CursorWatcher {
    /// Larger cursor images than this on either side are ignored (X cursors are 16 to 256 pixels).
    static let maximumSide = 1024

    private let connection: X11Connection
    private let notifyCode: UInt8
    private let log: (String) -> Void
    private var pending = true
    private var refusalReported = false

    init(connection: X11Connection, eventBase: UInt8, log: @escaping (String) -> Void) {
        self.connection = connection
        self.log = log
        notifyCode = eventBase &+ UInt8(XCB_XFIXES_CURSOR_NOTIFY)
        xcb_xfixes_select_cursor_input(connection.raw, connection.root, UInt32(XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR.rawValue))
        connection.flush()
    }

    func handle(_ event: UnsafePointer<xcb_generic_event_t>) -> Bool {
        guard event.pointee.response_type & 0x7f == notifyCode else { return false }
        pending = true
        return true
    }

    /// The new cursor image when it changed since the last call, else nil.
    func take() -> CursorImage? {
        guard pending else { return nil }
        pending = false
        let c = connection.raw
        var error: UnsafeMutablePointer<xcb_generic_error_t>?
        guard let reply = xcb_xfixes_get_cursor_image_reply(c, xcb_xfixes_get_cursor_image(c), &error) else {
            if let error {
                // Xvfb's SECURITY extension answers BadAccess (10) when the displayed cursor
                // belongs to a client that has exited (what `xsetroot -cursor` leaves behind).
                // Viewers then keep the previous cursor image; say so once rather than silently.
                if !refusalReported {
                    refusalReported = true
                    log("XFIXES GetCursorImage failed with X error \(error.pointee.error_code); viewers keep the previous cursor image")
                }
                free(error)
            }
            return nil
        }
        defer { free(reply) }
        let (w, h) = (Int(reply.pointee.width), Int(reply.pointee.height))
        guard w > 0, h > 0, w <= Self.maximumSide, h <= Self.maximumSide,
              Int(xcb_xfixes_get_cursor_image_cursor_image_length(reply)) >= w * h,
              let data = xcb_xfixes_get_cursor_image_cursor_image(reply) else { return nil }
        let pixels = (0..<(w * h)).map { CursorPixels.unpremultiplied(data[$0]) }
        let hotspot = Point(x: min(Int(reply.pointee.xhot), w - 1), y: min(Int(reply.pointee.yhot), h - 1))
        return CursorImage(width: w, height: h, hotspot: hotspot, argb: pixels)
    }
}
