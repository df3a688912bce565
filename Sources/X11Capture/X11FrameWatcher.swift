import CXCB
import Foundation
import Glibc
import Synchronization

/// The thread that tells the server when the X11 mirror has a new frame (`FrameSignalling`), so a
/// DAMAGE event is read at once instead of at the mirror's next 30 Hz poll.
///
/// It poll(2)s the X connection's file descriptor (and a pipe that wakes it) and asks how many bytes
/// wait unread in it (FIONREAD). When to signal is `FrameSignalPacer`'s decision: a burst of
/// drawing is coalesced (the unread bytes growing, sampled every millisecond, mean the client
/// still draws), signals are capped at `--max-fps`, and one signal is out at a time (the readable
/// connection stays readable until the advance reads it).
///
/// With a poll interval it also signals an idle mirror that often (the pointer and the monitors
/// have to be looked at), in place of the frame clock (`FrameSignalling.pollsItself`).
///
/// The handler runs on this thread and may do the advance itself (the mirror is a source that
/// `advancesWhereSignalled`): the thread that saw the damage reads it, with no hand-off to another
/// thread first. So the handler may stop this watcher (the advance found the X server gone) and may
/// block (the advance waits for the frame clock's advance to finish); `stop()` therefore never
/// waits for the thread. Instead the thread keeps the connection's owner (`keepingAlive`) until it
/// has stopped polling the connection, so its descriptor cannot be closed and reused under it.
final class X11FrameWatcher: @unchecked Sendable {
    private let connectionFD: Int32
    /// A pipe's ends: a byte written to `wakeWriteFD` wakes the thread out of poll(2).
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let handler: @Sendable () -> Void
    private let state: Mutex<State>
    /// pthread_self() of the watcher's thread once it runs (0 before).
    private let threadIdentity = Atomic<UInt>(0)

    private struct State {
        var pacer: FrameSignalPacer
        var stopping = false
        /// The thread has not ended (it ends when stopped or when it cannot watch the connection).
        var running = true
        /// The thread closed the wake pipe on its way out: nothing may write to it any more (its
        /// descriptor number may belong to another file by then).
        var pipeClosed = false
    }

    /// Watches `connectionFD` (the X connection's socket, which `owner` keeps open: the thread
    /// holds `owner` until it ends) and calls `handler` on its own thread.
    /// `pollInterval`: how often to signal an idle mirror anyway (`FrameSignalPacer.pollInterval`).
    init?(connectionFD: Int32, keepingAlive owner: AnyObject, minimumInterval: Double, pollInterval: Double? = nil,
          handler: @escaping @Sendable () -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        self.connectionFD = connectionFD
        wakeFD = ends[0]
        wakeWriteFD = ends[1]
        self.handler = handler
        state = Mutex(State(pacer: FrameSignalPacer(minimumInterval: minimumInterval, pollInterval: pollInterval)))
        let keeper = OwnerKeeper(owner)
        let thread = Thread { [self] in
            run()
            // Only now that nothing polls the connection's descriptor may it be closed.
            keeper.release()
        }
        thread.name = "porthole.x11-frames"
        thread.start()
    }

    /// The mirror was advanced and read the connection; `morePending` when it saw events it did not
    /// act on yet (see `FrameSignalPacer`).
    func advanced(morePending: Bool) {
        let now = Self.now()
        let changed = state.withLock { $0.pacer.advanced(at: now, morePending: morePending) }
        // On the thread (the handler advanced), the loop asks the pacer again before it waits.
        if changed, !isCurrent { wake() }
    }

    /// Whether the caller runs on the watcher's thread (in the handler).
    private var isCurrent: Bool { threadIdentity.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// Whether a burst of drawing is waiting for its signal (`FrameSignalPacer.isSettling`); never
    /// once the thread has ended.
    var isSettling: Bool {
        let now = Self.now()
        return state.withLock { $0.running && $0.pacer.isSettling(at: now) }
    }

    /// Whether the thread still watches (it ends when stopped or when it cannot watch the
    /// connection).
    var isRunning: Bool { state.withLock { $0.running } }

    /// Ends the thread: it signals no more once it sees this, which is at once unless the handler
    /// is running (then when it returns). Safe from the handler itself; never waits.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        if first, !isCurrent { wake() }
    }

    private func run() {
        threadIdentity.store(UInt(pthread_self()), ordering: .releasing)
        defer {
            state.withLock { state in
                state.running = false
                state.pipeClosed = true
                close(wakeFD)
                close(wakeWriteFD)
            }
        }
        var unread: Int32 = 0
        while true {
            let now = Self.now()
            let (step, stopping) = state.withLock { ($0.pacer.next(at: now), $0.stopping) }
            if stopping { return }
            switch step {
            case .signal:
                handler()
            case .watchConnection, .watchConnectionUntilPoll:
                var timeout: Int32 = -1
                if case .watchConnectionUntilPoll(let due) = step { timeout = Int32(min(1000, ((due - now) * 1000).rounded(.up))) }
                guard let readable = waitForWake(timeout: timeout, watchingConnection: true) else { return }
                if readable {
                    unread = cxcb_unread_bytes(connectionFD)
                    state.withLock { $0.pacer.connectionReadable(at: Self.now()) }
                }
            case .wait(let until):
                // At most a millisecond at a time, to see whether more arrived meanwhile.
                let milliseconds: Int32 = until > now ? 1 : 0
                guard waitForWake(timeout: milliseconds, watchingConnection: false) != nil else { return }
                let count = cxcb_unread_bytes(connectionFD)
                if count != unread {
                    unread = count
                    state.withLock { $0.pacer.connectionActive(at: Self.now()) }
                }
            case .awaitAdvance:
                guard waitForWake(timeout: -1, watchingConnection: false) != nil else { return }
            }
        }
    }

    /// Blocks until woken, the timeout passes, or (when watching it) the connection is readable or
    /// hung up. Whether the connection was readable; nil when the connection's descriptor is no
    /// longer open (the watcher then ends: the frame clock still advances the mirror).
    private func waitForWake(timeout: Int32, watchingConnection: Bool) -> Bool? {
        var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: connectionFD, events: Int16(POLLIN), revents: 0)]
        let rc = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress!, watchingConnection ? 2 : 1, timeout) }
        if rc < 0 { return errno == EINTR ? false : nil }
        if fds[0].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            while read(wakeFD, &bytes, bytes.count) > 0 {}
        }
        guard watchingConnection else { return false }
        if fds[1].revents & Int16(POLLNVAL) != 0 { return nil }
        return fds[1].revents != 0
    }

    /// A full pipe needs no more bytes: the thread is woken already. Under the lock, so the pipe
    /// cannot be closed meanwhile.
    private func wake() {
        state.withLock { state in
            guard !state.pipeClosed else { return }
            var one: UInt8 = 1
            _ = write(wakeWriteFD, &one, 1)
        }
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// The connection's owner, held by the watcher's thread until it ends (touched by that thread only).
private final class OwnerKeeper: @unchecked Sendable {
    private var object: AnyObject?
    init(_ object: AnyObject) { self.object = object }
    func release() { object = nil }
}
