import Display

/// When the X11 mirror tells the server it has a new frame (`FrameSignalling`): the decisions of
/// `X11FrameWatcher`, kept apart from its thread and sockets so they can be tested without either.
///
/// The X server's DAMAGE events (damageproto 1.1, level NonEmpty) arrive on the X connection while
/// nobody reads it: the mirror reads it only when the server advances it. So the watcher waits for
/// the connection to become readable and then signals, and:
/// - **coalesces a burst**: it signals once the connection has received nothing new for `settle`
///   seconds (every drawing operation sends an event, see X11DamageTracker), so a frame an X client
///   draws as several requests (PutImage strips, a redraw of many windows) is read once and whole
///   rather than half-drawn (TigerVNC's Xvnc defers updates by 1 ms for the same reason, its
///   `DeferUpdate` default); a client that never pauses is read `maximumDelay` after it began;
/// - **caps the rate**: signals come at most once per `minimumInterval` on average (`--max-fps`),
///   so a client drawing without pause costs at most that many reads a second besides the frame
///   clock's polls (those do not delay a signal: a change right after a poll would otherwise wait
///   up to the interval). After a pause two signals may come back to back (`BurstRateLimit`): a
///   frame drawn as strips with a pause between them is read in two parts, and the second part
///   must not wait a whole interval behind the first;
/// - **sends one signal per advance**: after signalling it waits for the advance (the readable
///   connection stays readable until the advance reads it, so watching it would spin). The server's
///   frame clock still advances the mirror too, so a signal the server dropped costs one poll.
///
/// - **polls when idle** (with `pollInterval`): the X pointer moves and RandR monitors change
///   without an event the mirror watches, so it must be looked at regularly. Signalled here, the
///   poll runs on the watcher's thread, which is not watching the connection meanwhile; polled by
///   the frame clock on another thread, the reply to each poll's QueryPointer woke the watcher
///   as if damage had come, and each poll cost two thread wake-ups. A poll is due `pollInterval`
///   after the last advance of any kind, so while frames come at least that often (an X client
///   drawing) there are none.
///
/// - **rests while nobody watches** (`resting`): the mirror then only drains the connection (the
///   clipboard's selection requests still need answers) and reads no pixels, so there is no poll,
///   and no waiting for a burst to settle (nothing can be read half-drawn); the rate cap still
///   bounds the wake-ups a client drawing without pause causes.
///
/// Events the advance itself read into xcb's queue while waiting for a reply (a DamageNotify for
/// drawing done during the advance) never make the socket readable again; the advance reports
/// them (`advanced(at:morePending:)`) and they are signalled like a readable connection.
struct FrameSignalPacer: Equatable {
    /// What the watcher does next.
    enum Step: Equatable {
        /// Call the handler now (then ask again).
        case signal
        /// Nothing is known to be waiting: block until the connection is readable or the pacer is
        /// told of an advance.
        case watchConnection
        /// As `watchConnection`, but only until `at`, when the mirror's own poll is due (see
        /// `pollInterval`): then ask again.
        case watchConnectionUntilPoll(at: Double)
        /// Something is waiting but it is too early to signal: wait until `until` (do not watch the
        /// connection, which is readable already).
        case wait(until: Double)
        /// A signal is out: wait for the advance that answers it.
        case awaitAdvance
    }

    /// Seconds per signal at the capped rate (1 / `--max-fps`).
    var minimumInterval: Double { rateLimit.interval }
    let settle: Double
    let maximumDelay: Double
    private var rateLimit: BurstRateLimit<Double>
    /// Since when something has been waiting to be read (nil: nothing known).
    private var pendingSince: Double?
    /// When the connection last received something while waiting.
    private var lastActivity = -Double.infinity
    private var signalled = false
    /// Seconds between the mirror's own polls when nothing else advances it (nil: the frame
    /// clock polls it).
    let pollInterval: Double?
    /// When the mirror was last advanced (nil: not yet, so a poll is due at once).
    private var lastAdvance: Double?
    /// Nobody watches the mirror: see the type's note.
    var resting = false

    /// `minimumInterval`: seconds between signals on average (1 / `--max-fps`; two may come back to
    /// back after a pause); `settle`: how long
    /// the connection must be quiet before a burst counts as over; `maximumDelay`: the longest a
    /// burst that does not end keeps the read waiting (by default `minimumInterval`).
    /// `pollInterval`: seconds between polls of an idle mirror, signalled like damage (nil: none).
    init(minimumInterval: Double, settle: Double = 0.001, maximumDelay: Double? = nil, pollInterval: Double? = nil) {
        rateLimit = BurstRateLimit(interval: minimumInterval, burst: 2)
        self.pollInterval = pollInterval.map { max(0.001, $0) }
        self.settle = max(0, settle)
        self.maximumDelay = max(self.settle, maximumDelay ?? rateLimit.interval)
    }

    /// The X connection has something to read (seen at `now`).
    mutating func connectionReadable(at now: Double) {
        if pendingSince == nil { pendingSince = now }
        lastActivity = max(lastActivity, now)
    }

    /// More arrived on the connection (seen at `now`) while something was waiting already: the
    /// client is still drawing.
    mutating func connectionActive(at now: Double) {
        guard pendingSince != nil else { return }
        lastActivity = max(lastActivity, now)
    }

    /// A burst of drawing is under way at `now` and its signal has not gone yet: the frame is
    /// still being drawn, and the signal will come once it settles (at the latest `maximumDelay`
    /// after it began, plus at most an interval if the rate holds it back). An advance by the
    /// frame clock now would read the frame half-drawn and make its second half wait behind the
    /// rate caps. Past that bound it is no longer settling, whatever became of the signal, so a
    /// watcher that stopped can never hold the frame clock off for good.
    func isSettling(at now: Double) -> Bool {
        guard let since = pendingSince, !signalled, !resting else { return false }
        return now < since + maximumDelay + minimumInterval
    }

    /// The mirror was advanced (by a signal or by the frame clock) and read everything on the
    /// connection; `morePending` when events arrived during the advance that it has not acted on.
    /// Whether the watcher must be woken to ask `next` again: not after an advance that found it
    /// idle and left nothing pending (a poll by the frame clock), since it then still watches the
    /// connection, which is all it would do when woken; a poll of its own it waits for merely
    /// comes due later than it thinks, and it asks again then.
    @discardableResult
    mutating func advanced(at now: Double, morePending: Bool) -> Bool {
        let wasIdle = !signalled && pendingSince == nil
        signalled = false
        lastAdvance = now
        pendingSince = morePending ? now : nil
        lastActivity = morePending ? now : -Double.infinity
        return !wasIdle || morePending
    }

    /// What to do at `now`; `.signal` counts as sent.
    mutating func next(at now: Double) -> Step {
        if signalled { return .awaitAdvance }
        guard let since = pendingSince else {
            guard let pollInterval, !resting else { return .watchConnection }
            let due = lastAdvance.map { $0 + pollInterval } ?? now
            guard now >= due else { return .watchConnectionUntilPoll(at: due) }
            // Not counted against the rate cap: polls come only when nothing else advanced the
            // mirror for a whole poll interval.
            signalled = true
            return .signal
        }
        let quiet = resting ? since : min(max(since, lastActivity) + settle, since + maximumDelay)
        let due = rateLimit.earliest(from: quiet)
        guard now >= due else { return .wait(until: due) }
        signalled = true
        rateLimit.record(at: now)
        return .signal
    }
}
