import CXCB
import Geometry
import Glibc

/// Where the X pointer is on the mirrored screen, from the core protocol's QueryPointer (X Window
/// System Protocol, "QueryPointer"): its reply gives the pointer's root-window coordinates, and
/// `same-screen` false when the pointer is on another screen of the display.
///
/// Neither XFIXES nor core events report every motion on the root window (motion over a child is
/// delivered to the child that selected it, not to the root), so the pointer is asked for once a
/// frame. The request goes out before the frame's other work and its reply is taken after, so
/// the round trip overlaps the image requests instead of adding to them.
final class X11PointerTracker {
    private let connection: X11Connection
    private var cookie: xcb_query_pointer_cookie_t?

    init(connection: X11Connection) { self.connection = connection }

    /// Sends QueryPointer (if not already sent and unanswered).
    func request() {
        if cookie == nil { cookie = xcb_query_pointer(connection.raw, connection.root) }
    }

    /// The pointer's position on the root window, or nil when it is on another screen or the
    /// request failed. Sends the request first when `request()` was not called.
    func take() -> Point? {
        request()
        guard let pending = cookie else { return nil }
        cookie = nil
        guard let reply = xcb_query_pointer_reply(connection.raw, pending, nil) else { return nil }
        defer { free(reply) }
        guard reply.pointee.same_screen != 0 else { return nil }
        return Point(x: Int(reply.pointee.root_x), y: Int(reply.pointee.root_y))
    }
}
