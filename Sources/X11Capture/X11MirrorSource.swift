import Capture
import Display
import Geometry
import Pixels
import Synchronization
import SystemIO

/// An existing X display shown to viewers: the root window read through MIT-SHM where DAMAGE says
/// it changed, the XFIXES cursor image and the pointer's position (QueryPointer), the RandR
/// monitors as screens, input through XTEST, the clipboard through the X selections, and
/// RandR size changes passed on (they become DesktopSize for viewers).
///
/// With DAMAGE it signals new frames (`FrameSignalling`): a thread watches the X connection and
/// advances the mirror itself as soon as damage arrives (`advancesWhereSignalled`), bursts
/// coalesced and at most `maximumFrameRate` times a second (`X11FrameWatcher`,
/// `FrameSignalPacer`), instead of waiting for its 30 Hz poll. With tile polling (`--x11-poll`, or
/// no DAMAGE) it is polled only.
///
/// Threading: advances come from the watcher's thread and from the frame clock's event loop, one
/// at a time (the server serializes them); input and the viewers' clipboard come from the thread
/// that serves the viewers whenever they send them (the event loop, or the watcher's thread when
/// the server serves viewers there: `watcherThread`). Advances handle events that input and the clipboard share
/// state with (a keyboard mapping change, selection requests), so all of them take `access`.
///
/// When the X server goes away, the last picture stays with a hazard-striped border and darkened
/// contents drawn over it, so viewers can see the mirror is stale; with `retry` a reconnect is tried
/// every second and the mirror resumes (at the new size if it changed). The RFB side never notices
/// beyond the frames.
public final class X11MirrorSource: FrameSource, InputReceiving, CursorProviding, CursorPositionProviding, ClipboardSharing, ScreenLayoutProviding, FrameSignalling,
                                     WatchStateObserving, BellRinging {
    /// The size shown while no X server was ever reached (with `retry` only).
    public static let unreachableDisplaySize = Size(width: 1024, height: 768)

    public private(set) var frame: PixelBuffer
    public private(set) var cursor: CursorImage = .arrow
    /// The X pointer's position as of the last frame (QueryPointer), nil while no X server is
    /// reached or the pointer is on another screen.
    public private(set) var cursorPosition: Point?
    /// The position last handed to the output, so only moves by X clients are reported.
    private var reportedCursorPosition: Point?
    /// The X screen's RandR monitors (RandR 1.5 GetMonitors); empty without RandR 1.5 or while no
    /// X server is reached.
    public private(set) var screens: [SourceScreen] = []
    public let display: String
    private let polling: Bool
    private let retry: Bool
    /// The most signalled advances per second (`--max-fps`).
    private let maximumFrameRate: Double
    /// Seconds between looks at an idle display (the pointer, the monitors), done by the watcher
    /// while there is one (`pollsItself`); nil leaves them to the server's frame clock.
    private let pollInterval: Double?
    /// The server's handler for new frames, once installed (FrameSignalling).
    private var frameReady: (@Sendable () -> Void)?
    /// Watches the current session's connection while there is a handler and DAMAGE.
    private var watcher: X11FrameWatcher?
    /// The thread the watchers run on (which may serve the mirror's viewers too).
    private let watcherThread: EventThread
    private let log: (String) -> Void
    private var session: X11Session?
    private var lastAttempt = 0.0
    /// The frames read into take turns in a ring (see `PictureRing`).
    private var flip = PictureRing()
    /// The viewers' clipboard text, offered again after a reconnect.
    private var viewerText: String?
    /// Whether anybody watches (`WatchStateObserving`): while nobody does, advances only drain the
    /// connection. As if somebody did until told.
    private var watched = true
    /// Held by every advance and every call that reaches the session (see the type's note).
    private let access = Mutex(())

    /// The X pointer's position when X clients moved it since the last call: the output's shared
    /// pointer follows it (a viewer's own moves arrive through XTEST and come back the same way).
    ///
    /// The first position seen (at start, or after a reconnect) only sets the baseline: an output
    /// nobody has pointed at shows no cursor, so snapshots of an untouched display stay exact.
    public func takeCursorPositionChange() -> Point? {
        access.withLock { _ in takeCursorPositionChangeLocked() }
    }

    private func takeCursorPositionChangeLocked() -> Point? {
        guard let position = cursorPosition else { reportedCursorPosition = nil; return nil }
        guard let previous = reportedCursorPosition else { reportedCursorPosition = position; return nil }
        guard position != previous else { return nil }
        reportedCursorPosition = position
        return position
    }

    /// Connects to `display` (`:N`). Without `retry` an unreachable display is an error; with it the
    /// source starts blank and keeps trying. `polling` compares tiles instead of trusting DAMAGE.
    /// `maximumFrameRate` caps the advances signalled from DAMAGE (normally `--max-fps`);
    /// `pollRate` is how many times a second an idle display is looked at (the server's frame rate).
    /// `watcherThread` (the caller's) is where DAMAGE is watched and signalled frames are advanced,
    /// and so where they are published; a server that serves the mirror's viewers on it encodes
    /// each frame for them without a hand-off (`ServerConfiguration.viewerThread`).
    public init(display: String, polling: Bool = false, retry: Bool = false, maximumFrameRate: Double = 60, pollRate: Double? = 30,
                watcherThread: EventThread, log: @escaping (String) -> Void) throws {
        self.display = display; self.polling = polling; self.retry = retry; self.log = log
        self.watcherThread = watcherThread
        self.maximumFrameRate = max(1, maximumFrameRate)
        pollInterval = pollRate.map { 1 / max(0.001, $0) }
        do {
            let session = try X11Session(display: display, polling: polling, log: log)
            frame = try session.readWholeScreen()
            flip.reset(); flip.fill(from: frame)
            cursorPosition = session.pointerPosition()
            screens = session.monitorsIfDue(at: 0) ?? []
            self.session = session
        } catch {
            guard retry else { throw error }
            log("cannot mirror \(display) yet (\(error)); retrying every second")
            frame = PixelBuffer(width: Self.unreachableDisplaySize.width, height: Self.unreachableDisplaySize.height)
            StaleNotice.draw(on: &frame)
        }
    }

    deinit { watcher?.stop() }

    public func onFrameReady(_ handler: @escaping @Sendable () -> Void) {
        access.withLock { _ in
            frameReady = handler
            startWatching()
        }
    }

    /// The watcher's thread does the advance it signals: the thread that saw the damage reads it,
    /// without waking the event loop for it first.
    public var advancesWhereSignalled: Bool { true }

    /// While a watcher runs and polls (`pollInterval`): the frame clock need only stand by. Without
    /// one (tile polling, no DAMAGE, the X server lost) the clock polls, reads and reconnects.
    public var pollsItself: Bool {
        access.withLock { _ in pollInterval != nil && watcher?.isRunning == true }
    }

    /// Starts a watcher on the current session's connection, when there is a handler to call and
    /// DAMAGE to watch for.
    private func startWatching() {
        guard watcher == nil, let handler = frameReady, let session, session.tracksDamage else { return }
        watcher = X11FrameWatcher(thread: watcherThread, connectionFD: session.connectionFD, keepingAlive: session,
                                  minimumInterval: 1 / maximumFrameRate, pollInterval: pollInterval, handler: handler)
        if !watched { watcher?.setResting(true) }
    }

    /// Nobody watching, the mirror reads no pixels and its watcher neither polls nor waits for
    /// bursts to settle; events are still handled (`X11Session.drainUnread`). The first advance
    /// once watched again reads the whole screen. Idle with no viewer, the mirror took 6 CPU ticks
    /// in 20 s and the mirror of a busy xterm 62 in 10 s; x11vnc took 1 and 0.
    public func setWatched(_ watched: Bool) {
        access.withLock { _ in
            self.watched = watched
            watcher?.setResting(!watched)
        }
    }

    public func advance(to time: Double) -> FrameDamage {
        access.withLock { _ in advanceLocked(to: time) }
    }

    private func advanceLocked(to time: Double) -> FrameDamage {
        guard let session else { return reconnect(at: time) }
        // The frame clock's poll while an X client is still drawing: the watcher's signal follows
        // once the drawing settles, and reading now would send the frame in parts.
        if let watcher, watcher.isSettling { return FrameDamage() }
        let update = watched ? session.update(&frame, flip: &flip, cursor: &cursor, pointerAt: &cursorPosition)
                             : session.drainUnread() ? FrameDamage() : nil
        if let damage = update {
            // A frame with nothing new is not one: the one published stays in front.
            if damage.isEmpty { flip.undo(&frame) } else { flip.finish(front: frame, drawn: damage.region) }
            if watched, let monitors = session.monitorsIfDue(at: time) { screens = monitors }
            if let text = viewerTextToOffer() { session.clipboard.offer(text) }
            watcher?.advanced(morePending: session.handleLateEvents())
            return damage
        }
        log("lost the X server \(display) (" + X11Connection.explain(session.connection.errorCode) + "); "
            + (retry ? "showing the last picture and reconnecting every second" : "showing the last picture"))
        watcher?.stop()
        watcher = nil
        self.session = nil
        flip.reset()
        cursorPosition = nil
        screens = []
        lastAttempt = time
        StaleNotice.draw(on: &frame)
        return .full(frame.bounds)
    }

    private var offerPending = false
    private func viewerTextToOffer() -> String? {
        guard offerPending else { return nil }
        offerPending = false
        return viewerText
    }

    private func reconnect(at time: Double) -> FrameDamage {
        guard retry, time - lastAttempt >= 1 else { return FrameDamage() }
        lastAttempt = time
        do {
            let session = try X11Session(display: display, polling: polling, log: log)
            frame = try session.readWholeScreen()
            flip.reset(); flip.fill(from: frame)
            screens = session.monitorsIfDue(at: time) ?? []
            self.session = session
            offerPending = viewerText != nil
            startWatching()
            log("reconnected to the X server \(display)")
            return .full(frame.bounds)
        } catch {
            return FrameDamage()
        }
    }

    public func key(down: Bool, keysym: UInt32) {
        access.withLock { _ in session?.input.key(down: down, keysym: keysym) }
    }

    public func pointer(buttonMask: UInt16, x: Int, y: Int) {
        access.withLock { _ in session?.input.pointer(buttonMask: buttonMask, x: x, y: y) }
    }

    public func takeClipboardChange() -> String? { access.withLock { _ in session?.clipboard.take() } }

    /// Whether an X client rang the bell since the last call (XKB BellNotify; see X11BellWatcher).
    public func takeBell() -> Bool { access.withLock { _ in session?.takeBell() ?? false } }

    public func setClipboard(_ text: String) {
        access.withLock { _ in
            viewerText = text
            session?.clipboard.offer(text)
        }
    }
}
