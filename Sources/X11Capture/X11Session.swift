import Capture
import CXCB
import Display
import Geometry
import Glibc
import Pixels

/// Everything tied to one connection to the X server: the screen reader, change detection,
/// cursor, input and clipboard. A lost connection ends the session; reconnecting starts a new one.
///
/// It is used from one thread at a time (X11MirrorSource serializes its advances, input and
/// clipboard, which come from its watcher's thread and the output's event loop): events are drained with
/// `xcb_poll_for_event`, which never waits, and the only waits are for replies to the requests a
/// frame needs (the ShmGetImages and QueryPointer together, the cursor image), each a round trip
/// on a local socket.
final class X11Session {
    /// The X protocol's coordinates are 16-bit; a root window is at most this on each side here.
    static let maximumSide = 16384

    let connection: X11Connection
    private let log: (String) -> Void
    private var reader: X11ImageReader
    /// The colormap's reader on a colormapped screen (nil for TrueColor).
    private let colormap: X11ColormapReader?
    private let damage: X11DamageTracker?
    private let cursorWatcher: X11CursorWatcher?
    private let bellWatcher: X11BellWatcher?
    private let pointer: X11PointerTracker
    private let monitors: X11MonitorReader?
    let input: X11InputInjector
    let clipboard: X11ClipboardBridge
    private let randrNotifyCode: UInt8?
    private var sizeMayHaveChanged = false
    /// Damage was dropped unread (`drainUnread`): the next `update` reads the whole screen.
    private var rereadWhole = false
    /// The screen as last read whole, for tile comparison (polling only).
    private var scratch: PixelBuffer?

    /// Connects to `display` and reads the whole screen into a new frame.
    init(display: String, polling: Bool, log: @escaping (String) -> Void) throws {
        self.log = log
        connection = try X11Connection(display: display)
        let size = try Self.boundedRootSize(connection)
        let (layout, colormap) = try connection.pixelLayout()
        self.colormap = colormap
        reader = try X11ImageReader(connection: connection, size: size, layout: layout, log: log)
        if polling {
            damage = nil
            log("comparing 64x64 tiles of the whole screen every frame (--x11-poll)")
        } else if let base = connection.damageEventBase {
            damage = X11DamageTracker(connection: connection, eventBase: base)
        } else {
            damage = nil
            log("\(display) has no DAMAGE 1.1 (or XFIXES): comparing 64x64 tiles of the whole screen every frame")
        }
        let connection = connection
        cursorWatcher = connection.xfixesEventBase.map { X11CursorWatcher(connection: connection, eventBase: $0, log: log) }
        bellWatcher = connection.xkbEventBase.map { X11BellWatcher(connection: connection, eventBase: $0) }
        pointer = X11PointerTracker(connection: connection)
        monitors = X11MonitorReader(connection: connection)
        input = X11InputInjector(connection: connection)
        if !connection.hasXTest { log("\(display) has no XTEST: viewers' keys and pointer are ignored") }
        clipboard = try X11ClipboardBridge(connection: connection, xfixesEventBase: connection.xfixesEventBase, log: log)
        randrNotifyCode = connection.randrEventBase.map { $0 &+ UInt8(XCB_RANDR_SCREEN_CHANGE_NOTIFY) }
        if randrNotifyCode != nil {
            xcb_randr_select_input(connection.raw, connection.root, UInt16(XCB_RANDR_NOTIFY_MASK_SCREEN_CHANGE.rawValue))
        }
        connection.flush()
        log("mirroring X display \(display) at \(size.width)x\(size.height) ("
            + (reader.usesSharedMemory ? "MIT-SHM" : "GetImage") + ", " + (damage != nil ? "DAMAGE" : "tile polling")
            + (colormap != nil ? ", 8-bit colormap" : "") + ")")
    }

    var isLost: Bool { connection.isBroken }

    /// Whether DAMAGE says what changed (rather than tile polling), so the mirror can signal new
    /// frames as the events arrive (X11FrameWatcher).
    var tracksDamage: Bool { damage != nil }

    /// The X connection's socket, for X11FrameWatcher to watch; only this session reads it.
    var connectionFD: Int32 { xcb_get_file_descriptor(connection.raw) }

    /// Handles the events that came in since `update` drained them (read into xcb's queue while a
    /// reply was awaited, or still in the socket): whether there were any, so another frame is
    /// due.
    func handleLateEvents() -> Bool { drainEvents() }

    /// While nobody watches: stops DAMAGE reporting, handles the events (a selection request
    /// still gets its answer, a size change and the cursor are noted for later) and drops the
    /// damage unread, so the next `update` reads the whole screen (`rereadWhole`). False when the
    /// connection is gone.
    func drainUnread() -> Bool {
        damage?.stopReporting()
        drainEvents()
        _ = damage?.take()
        // A bell that rang for nobody is not rung for the next viewer.
        _ = bellWatcher?.take()
        // Tile polling (no DAMAGE) compares the whole screen at every update anyway.
        rereadWhole = damage != nil
        return !connection.isBroken
    }

    /// The first full picture at the screen's current size.
    func readWholeScreen() throws -> PixelBuffer {
        let size = try Self.boundedRootSize(connection)
        var frame = PixelBuffer(width: size.width, height: size.height)
        guard reader.read(frame.bounds, into: &frame) else { throw X11Error("reading the screen of \(connection.display) failed") }
        return frame
    }

    /// The RandR monitors when it is time to read them again (see X11MonitorReader), else nil.
    /// Read after `update`, so a size change and the monitors that come with it are seen together.
    func monitorsIfDue(at time: Double) -> [SourceScreen]? { monitors?.read(at: time) }

    /// Whether the X bell rang since the last call (always false without XKB).
    func takeBell() -> Bool { bellWatcher?.take() ?? false }

    /// Where the X pointer is now (nil when it is on another screen): one QueryPointer round trip.
    func pointerPosition() -> Point? { pointer.take() }

    /// Handles what the server sent and brings `frame` up to date: the damage since the last call,
    /// or nil when the connection is gone. A size change replaces `frame` and damages all of it.
    /// `pointerAt` becomes the X pointer's position as of this frame.
    ///
    /// `flip` turns `frame` over to the ring's oldest frame right before anything is written into
    /// it, once the region the reads will overwrite is known (`PictureRing.flip(_:redrawn:)`).
    func update(_ frame: inout PixelBuffer, flip: inout PictureRing, cursor: inout CursorImage, pointerAt position: inout Point?) -> FrameDamage? {
        // QueryPointer goes out first and its reply is taken last, so its round trip overlaps the
        // reads'. (Waiting for it before draining the damage events, so that every event the
        // server sent until then is taken, cost typing a millisecond of latency at the median
        // without a measurable gain on the drag: docs/benchmarks.md, "The X11 mirror's round
        // trips".)
        pointer.request()
        colormap?.request()
        defer { if !connection.isBroken { position = pointer.take() } }
        // Watched again after `drainUnread`: reporting starts before anything is read, so drawing
        // during the reads below is reported after them.
        damage?.startReporting()
        drainEvents()
        if connection.isBroken { return nil }
        if let image = cursorWatcher?.take() { cursor = image }
        if let palette = colormap?.take(), reader.usePalette(palette) {
            // Every pixel may show another colour now, drawn or not. (Tile polling reads the
            // whole screen anyway, and its comparison finds what the new colours changed.)
            rereadWhole = damage != nil
        }
        if sizeMayHaveChanged {
            sizeMayHaveChanged = false
            if let size = try? Self.boundedRootSize(connection), size != frame.size {
                do {
                    reader = try X11ImageReader(connection: connection, size: size, layout: reader.layout, log: log)
                    frame = try readWholeScreen()
                    scratch = nil
                    rereadWhole = false
                    _ = damage?.take()
                    log("the screen of \(connection.display) is now \(size.width)x\(size.height)")
                    return .full(frame.bounds)
                } catch {
                    return connection.isBroken ? nil : FrameDamage()
                }
            }
        }
        guard let damage else { return poll(&frame, flip: &flip) }
        if rereadWhole {
            // Damage went unread while nobody watched (`drainUnread`).
            _ = damage.take()
            flip.flip(&frame, redrawn: Region(frame.bounds))
            if reader.read(frame.bounds, into: &frame) {
                rereadWhole = false
            } else if connection.isBroken {
                return nil
            } else {
                flip.restoreSkipped(&frame)
            }
            return .full(frame.bounds)
        }
        let rects = damage.take()
        if rects.isEmpty { return FrameDamage() }
        let plan = DamageReadPlan(damage: rects, bounds: frame.bounds)
        flip.flip(&frame, redrawn: plan.region)
        if !reader.read(plan.reads, into: &frame) {
            if connection.isBroken { return nil }
            flip.restoreSkipped(&frame)
        }
        return FrameDamage(region: plan.region)
    }

    /// Without DAMAGE: reads the whole screen and reports the tiles that differ from `frame`.
    private func poll(_ frame: inout PixelBuffer, flip: inout PictureRing) -> FrameDamage? {
        var fresh = scratch ?? PixelBuffer(width: frame.width, height: frame.height)
        if fresh.size != frame.size { fresh = PixelBuffer(width: frame.width, height: frame.height) }
        guard reader.read(fresh.bounds, into: &fresh) else { return connection.isBroken ? nil : FrameDamage() }
        flip.flip(&frame, redrawn: Region())
        let region = TileComparison.update(&frame, from: fresh)
        scratch = fresh
        return FrameDamage(region: region)
    }

    /// Handles every event received so far; whether there was one.
    @discardableResult
    private func drainEvents() -> Bool {
        let c = connection.raw
        var any = false
        while let event = xcb_poll_for_event(c) {
            defer { free(event) }
            any = true
            let e = UnsafePointer(event)
            let type = e.pointee.response_type & 0x7f
            if type == 0 { continue }  // An X error for a request nobody waited on (a stale window, a lost race).
            if damage?.handle(e) == true || cursorWatcher?.handle(e) == true || bellWatcher?.handle(e) == true || clipboard.handle(e) {
                continue
            }
            if let code = randrNotifyCode, type == code {
                sizeMayHaveChanged = true
                monitors?.invalidate()
            } else if type == UInt8(XCB_MAPPING_NOTIFY) {
                input.mappingChanged()
            }
        }
        return any
    }

    private static func boundedRootSize(_ connection: X11Connection) throws -> Size {
        let (w, h) = try connection.rootSize()
        guard (1...maximumSide).contains(w), (1...maximumSide).contains(h) else {
            throw X11Error("the screen of \(connection.display) is \(w)x\(h), outside 1...\(maximumSide) on a side")
        }
        return Size(width: w, height: h)
    }
}
