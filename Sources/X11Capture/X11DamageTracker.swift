import CXCB
import Geometry
import Glibc

/// What the DAMAGE extension says changed on the root window (damageproto 1.1).
///
/// One damage object at level RawRectangles: the server sends a DamageNotify for every drawing
/// operation, its `area` circumscribing what the operation changed (several events, the "more" bit
/// set on all but the last, for an operation that changed several boxes), and keeps no region of
/// its own. The tracker collects those areas as the events are drained; taking the damage hands
/// them over and costs no request. (Until the eleventh session the damage was taken with
/// DamageSubtract and FetchRegion from a second object at level NonEmpty: a round trip in every
/// frame, before the reads could even be sent. x11vnc and TigerVNC's x0vncserver also take the
/// events' areas.)
///
/// Nothing is lost between frames: an event the server sends after the session drained the queue
/// (drawing the server was still doing when the frame was read) is taken with the next frame (its
/// pixels may already be in this one, read again then and found unchanged by the output's
/// refinement). The events also keep the connection
/// receiving bytes while a client draws, so X11FrameWatcher can wait until the drawing pauses
/// before the frame is read (FrameSignalPacer).
final class X11DamageTracker {
    /// More rectangles than this waiting at once are taken as their bounding box (a client drawing
    /// many small things between two frames: text, a busy chart).
    static let maximumRectangles = 4096

    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection
    private var damage: xcb_damage_damage_t
    /// The damage object exists (`stopReporting` destroys it while nobody watches).
    private(set) var isReporting = true
    private let notifyCode: UInt8
    /// The areas reported since the damage was last taken.
    private var areas: [Rect] = []

    init(connection: X11Connection, eventBase: UInt8) {
        self.connection = connection
        damage = connection.newID()
        notifyCode = eventBase &+ UInt8(XCB_DAMAGE_NOTIFY)
        xcb_damage_create(connection.raw, damage, connection.root, UInt8(XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES.rawValue))
        connection.flush()
    }

    deinit {
        guard isReporting, !connection.isBroken else { return }
        xcb_damage_destroy(connection.raw, damage)
        connection.flush()
    }

    /// Destroys the damage object, so drawing sends no events while nobody watches the mirror
    /// (a busy xterm's events alone, drained and dropped, cost 3% of a core). Areas already
    /// collected are dropped; the caller reads the whole screen when reporting starts again.
    func stopReporting() {
        guard isReporting else { return }
        isReporting = false
        areas = []
        xcb_damage_destroy(connection.raw, damage)
        connection.flush()
    }

    /// Creates the damage object again (a new ID). Call before reading the screen whole, so that
    /// drawing during the read is reported after it.
    func startReporting() {
        guard !isReporting else { return }
        isReporting = true
        damage = connection.newID()
        xcb_damage_create(connection.raw, damage, connection.root, UInt8(XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES.rawValue))
        connection.flush()
    }

    /// Whether `event` is this tracker's DamageNotify; its area is kept for the next `take`.
    func handle(_ event: UnsafePointer<xcb_generic_event_t>) -> Bool {
        guard event.pointee.response_type & 0x7f == notifyCode else { return false }
        let area = UnsafeRawPointer(event).assumingMemoryBound(to: xcb_damage_notify_event_t.self).pointee.area
        guard area.width > 0, area.height > 0 else { return true }
        add(Rect(x: Int(area.x), y: Int(area.y), width: Int(area.width), height: Int(area.height)))
        return true
    }

    /// The rectangles damaged since the last call (empty when none).
    func take() -> [Rect] {
        defer { areas = [] }
        return areas
    }

    /// Keeps `rect`; a list that is full becomes its bounding box, so a client drawing without
    /// pause between two frames costs bounded memory.
    private func add(_ rect: Rect) {
        if areas.count == Self.maximumRectangles {
            areas = [areas.reduce(rect) { $0.union($1) }]
        } else {
            areas.append(rect)
        }
    }
}
