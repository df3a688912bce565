import CXCB
import Glibc
import Synchronization
import SystemIO

/// Tells the server when the X11 mirror has a new frame (`FrameSignalling`), so a DAMAGE event is
/// read at once instead of at the mirror's next 30 Hz poll.
///
/// It watches the X connection's file descriptor from an `EventThread` and asks how many bytes wait
/// unread in it (FIONREAD). When to signal is `FrameSignalPacer`'s decision: a burst of drawing is
/// coalesced (the unread bytes growing, sampled every millisecond, mean the client still draws),
/// signals are capped at `--max-fps`, and one signal is out at a time (the readable connection
/// stays readable until the advance reads it).
///
/// With a poll interval it also signals an idle mirror that often (the pointer and the monitors
/// have to be looked at), in place of the frame clock (`FrameSignalling.pollsItself`).
///
/// The handler runs on the thread and may do the advance itself (the mirror is a source that
/// `advancesWhereSignalled`): the thread that saw the damage reads it, with no hand-off to another
/// thread first. The thread may also serve the mirror's viewers (`ServerConfiguration.viewerThread`),
/// which then get the frame encoded in the same run. So the handler may stop this watcher (the
/// advance found the X server gone) and may block (the advance waits for the frame clock's advance
/// to finish); `stop()` therefore never waits. The watcher keeps the connection's owner
/// (`keepingAlive`) until it no longer watches the descriptor, so the descriptor cannot be closed,
/// and its number reused by another watch on the same thread, under it.
final class X11FrameWatcher: @unchecked Sendable {
    private let thread: EventThread
    private let connectionFD: Int32
    private let handler: @Sendable () -> Void
    private let state: Mutex<State>

    private struct State {
        var pacer: FrameSignalPacer
        var stopping = false
        /// The watcher has not ended (it ends when stopped or when it cannot watch the connection).
        var running = true
    }

    // Confined to the thread.
    private var watch: FDWatch?
    /// Fires when a poll is due (`.watchConnectionUntilPoll`) or, while a burst settles, to sample the
    /// unread bytes again (`sampling`).
    private var timer: EventTimer?
    private var sampling = false
    private var unread: Int32 = 0
    /// The connection's owner, let go once the watch is cancelled.
    private var owner: AnyObject?
    /// `step` is running: a step asked for meanwhile (by the handler) is its next round.
    private var stepping = false
    private var stepAgain = false

    /// Watches `connectionFD` (the X connection's socket, which `owner` keeps open: the watcher
    /// holds `owner` until it ends) from `thread`, and calls `handler` there.
    /// `pollInterval`: how often to signal an idle mirror anyway (`FrameSignalPacer.pollInterval`).
    init(thread: EventThread, connectionFD: Int32, keepingAlive owner: AnyObject, minimumInterval: Double,
         pollInterval: Double? = nil, handler: @escaping @Sendable () -> Void) {
        self.thread = thread
        self.connectionFD = connectionFD
        self.handler = handler
        self.owner = owner
        state = Mutex(State(pacer: FrameSignalPacer(minimumInterval: minimumInterval, pollInterval: pollInterval)))
        thread.execute { [self] in begin() }
    }

    /// The mirror was advanced and read the connection; `morePending` when it saw events it did not
    /// act on yet (see `FrameSignalPacer`).
    func advanced(morePending: Bool) {
        let now = Self.now()
        let changed = state.withLock { $0.pacer.advanced(at: now, morePending: morePending) }
        if changed { requestStep() }
    }

    /// Whether a burst of drawing is waiting for its signal (`FrameSignalPacer.isSettling`); never
    /// once the watcher has ended.
    var isSettling: Bool {
        let now = Self.now()
        return state.withLock { $0.running && $0.pacer.isSettling(at: now) }
    }

    /// Whether the watcher still watches (it ends when stopped or when it cannot watch the
    /// connection).
    var isRunning: Bool { state.withLock { $0.running } }

    /// Nobody watches the mirror (or someone does again): no polls, and no settling of bursts
    /// while resting (`FrameSignalPacer.resting`).
    func setResting(_ resting: Bool) {
        let changed = state.withLock { state -> Bool in
            defer { state.pacer.resting = resting }
            return state.pacer.resting != resting
        }
        if changed { requestStep() }
    }

    /// Ends the watcher: it signals no more once the thread sees this, which is at once unless the
    /// handler is running (then when it returns). Safe from the handler itself; never waits.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        if first { requestStep() }
    }

    /// Has the pacer asked again: by the step that is running, when called from its handler (the
    /// advance it does, or a stop), else in a run of the thread of its own.
    private func requestStep() {
        if thread.isCurrent && stepping { stepAgain = true } else { thread.execute { [self] in step() } }
    }

    private func begin() {
        // Weak: the thread's table holds the watch and the armed timer until they are cancelled.
        watch = thread.watch(connectionFD, onReadable: { [weak self] in self?.connectionReadable() })
        timer = thread.makeTimer { [weak self] in self?.timerFired() }
        step()
    }

    private func connectionReadable() {
        unread = cxcb_unread_bytes(connectionFD)
        state.withLock { $0.pacer.connectionReadable(at: Self.now()) }
        step()
    }

    private func timerFired() {
        if sampling { sampleUnreadBytes() }
        step()
    }

    /// More unread bytes than last time: the client still draws.
    private func sampleUnreadBytes() {
        let count = cxcb_unread_bytes(connectionFD)
        guard count != unread else { return }
        unread = count
        state.withLock { $0.pacer.connectionActive(at: Self.now()) }
    }

    /// Asks the pacer what to do and arranges it: signal, watch the connection, or wait for a
    /// timer or an advance. Runs until the pacer has nothing to do at once.
    private func step() {
        // No watch before `begin`, nor after `end`.
        guard let watch else { return }
        if stepping { stepAgain = true; return }
        stepping = true
        defer { stepping = false }
        repeat {
            stepAgain = false
            let now = Self.now()
            let (next, stopping) = state.withLock { ($0.pacer.next(at: now), $0.stopping) }
            if stopping { return end() }
            var readable = false
            var deadline: Double?
            sampling = false
            switch next {
            case .signal:
                handler()
                stepAgain = true
                continue
            case .watchConnection:
                readable = true
            case .watchConnectionUntilPoll(let due):
                readable = true
                deadline = due
            case .wait(let until):
                // A millisecond at a time, to see whether more arrived meanwhile.
                guard until > now else {
                    sampleUnreadBytes()
                    stepAgain = true
                    continue
                }
                sampling = true
                deadline = now + 0.001
            case .awaitAdvance:
                break
            }
            do {
                try watch.setInterest(readable: readable, writable: false)
            } catch {
                // The descriptor is no longer open: the frame clock still advances the mirror.
                return end()
            }
            if let deadline {
                timer?.schedule(afterNanoseconds: UInt64(max(0, (deadline - now) * 1e9).rounded(.up)))
            } else {
                timer?.cancel()
            }
        } while stepAgain
    }

    private func end() {
        watch?.cancel()
        watch = nil
        timer?.cancel()
        timer = nil
        state.withLock { $0.running = false }
        // Only now that nothing watches the connection's descriptor may it be closed.
        owner = nil
    }

    private static func now() -> Double {
        Double(EventThread.monotonicNanoseconds()) / 1e9
    }
}
