import CXCB
import Geometry
import Glibc

/// What the DAMAGE extension says changed on the root window (damageproto 1.1).
///
/// The damage object reports at level NonEmpty: one DamageNotify when its region goes from empty
/// to non-empty, none while it only grows. Taking the damage is `DamageSubtract(damage, None,
/// parts)`, which empties the damage object and hands its previous region to the XFIXES region
/// `parts`, read back with FetchRegion. Drawing that happens after the subtract makes the region
/// non-empty again and sends a new notify, so nothing is lost between two frames.
///
/// A second damage object at level RawRectangles is never read: it makes the server send an event
/// for every drawing operation, so the connection keeps receiving bytes while a client draws and
/// X11FrameWatcher can wait until the drawing pauses before the frame is read (FrameSignalPacer).
/// At that level the server keeps no region for it (each operation is reported and forgotten).
final class X11DamageTracker {
    /// More rectangles than this in one frame are taken as their bounding box (the server keeps a
    /// banded region, which a busy screen can fragment into thousands of rectangles).
    static let maximumRectangles = 4096

    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection
    private let damage: xcb_damage_damage_t
    private let activity: xcb_damage_damage_t
    private let parts: xcb_xfixes_region_t
    private let notifyCode: UInt8
    /// A DamageNotify arrived since the damage was last taken. Starts true so the first frame
    /// takes whatever was drawn before the object existed (nothing: the first frame is read whole).
    private var pending = true

    init(connection: X11Connection, eventBase: UInt8) {
        self.connection = connection
        let c = connection.raw
        damage = connection.newID()
        activity = connection.newID()
        parts = connection.newID()
        notifyCode = eventBase &+ UInt8(XCB_DAMAGE_NOTIFY)
        xcb_damage_create(c, damage, connection.root, UInt8(XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY.rawValue))
        xcb_damage_create(c, activity, connection.root, UInt8(XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES.rawValue))
        xcb_xfixes_create_region(c, parts, 0, nil)
        connection.flush()
    }

    deinit {
        guard !connection.isBroken else { return }
        xcb_damage_destroy(connection.raw, damage)
        xcb_damage_destroy(connection.raw, activity)
        xcb_xfixes_destroy_region(connection.raw, parts)
        connection.flush()
    }

    /// Whether `event` is this tracker's; DamageNotify (from either object) only marks that damage
    /// is waiting.
    func handle(_ event: UnsafePointer<xcb_generic_event_t>) -> Bool {
        guard event.pointee.response_type & 0x7f == notifyCode else { return false }
        pending = true
        return true
    }

    /// The rectangles damaged since the last call (empty when none), or nil when the server did not
    /// answer.
    func take() -> [Rect]? {
        guard pending else { return [] }
        pending = false
        let c = connection.raw
        xcb_damage_subtract(c, damage, xcb_xfixes_region_t(XCB_NONE), parts)
        guard let reply = xcb_xfixes_fetch_region_reply(c, xcb_xfixes_fetch_region(c, parts), nil) else { return nil }
        defer { free(reply) }
        let count = Int(xcb_xfixes_fetch_region_rectangles_length(reply))
        guard count > 0, let rects = xcb_xfixes_fetch_region_rectangles(reply) else { return [] }
        if count > Self.maximumRectangles {
            let b = reply.pointee.extents
            return [Rect(x: Int(b.x), y: Int(b.y), width: Int(b.width), height: Int(b.height))]
        }
        return (0..<count).map { i in
            let r = rects[i]
            return Rect(x: Int(r.x), y: Int(r.y), width: Int(r.width), height: Int(r.height))
        }
    }
}
