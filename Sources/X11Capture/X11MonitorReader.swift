import Capture
import CXCB
import Geometry
import Glibc

/// The X screen's monitors, from RandR 1.5 GetMonitors (randrproto.txt, "Extension Requests",
/// RRGetMonitors): each monitor is a named rectangle of the root window, made from the CRTCs of
/// its outputs or set by a client with RRSetMonitor (`xrandr --setmonitor`). A monitor's name is
/// an atom, so it serves as the screen's id: unique on the screen and stable while the monitor
/// exists.
///
/// The X.Org server sends no notification when a client sets or deletes a monitor (its
/// RRMonitorAdd and RRDeleteMonitor only change the list), so the monitors are read again on every
/// RandR notification and once a second besides.
final class X11MonitorReader {
    /// How often the monitors are read without a RandR notification, in seconds.
    static let interval = 1.0

    private let connection: X11Connection
    private var lastRead = -Double.infinity
    private var stale = true

    /// Nil when the server's RandR is older than 1.5 (no GetMonitors).
    init?(connection: X11Connection) {
        guard connection.randrVersion >= (1, 5) else { return nil }
        self.connection = connection
    }

    /// A RandR notification arrived: the monitors may have changed.
    func invalidate() { stale = true }

    /// The monitors when it is time to read them (at `time`, seconds), else nil. An empty list
    /// means the server reports none (every output off).
    func read(at time: Double) -> [SourceScreen]? {
        guard stale || time - lastRead >= Self.interval else { return nil }
        stale = false
        lastRead = time
        let c = connection.raw
        guard let reply = xcb_randr_get_monitors_reply(c, xcb_randr_get_monitors(c, connection.root, 1), nil) else { return nil }
        defer { free(reply) }
        var screens: [SourceScreen] = []
        var it = xcb_randr_get_monitors_monitors_iterator(reply)
        while it.rem > 0, let m = it.data {
            let rect = Rect(x: Int(m.pointee.x), y: Int(m.pointee.y), width: Int(m.pointee.width), height: Int(m.pointee.height))
            screens.append(SourceScreen(id: m.pointee.name, rect: rect))
            xcb_randr_monitor_info_next(&it)
        }
        return screens
    }
}
