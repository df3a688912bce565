import CXCB
import Foundation
import Glibc
import Synchronization

/// The thread that tells the server when the X11 mirror has a new frame (`FrameSignalling`), so a
/// DAMAGE event is read at once instead of at the mirror's next 30 Hz poll.
///
/// It only ever poll(2)s the X connection's file descriptor (and a pipe that wakes it) and asks how
/// many bytes wait unread in it (FIONREAD); all reading of the connection stays on the output's
/// event loop, in `advance(to:)`. When to signal is `FrameSignalPacer`'s decision: a burst of
/// drawing is coalesced (the unread bytes growing, sampled every millisecond, mean the client
/// still draws), signals are capped at `--max-fps`, and one signal is out at a time (the readable
/// connection stays readable until the advance reads it).
final class X11FrameWatcher: @unchecked Sendable {
    private let connectionFD: Int32
    /// A pipe's ends: a byte written to `wakeWriteFD` wakes the thread out of poll(2).
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let handler: @Sendable () -> Void
    private let state: Mutex<State>
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var pacer: FrameSignalPacer
        var stopping = false
        /// The thread has not ended (it ends when stopped or when it cannot watch the connection).
        var running = true
    }

    /// Watches `connectionFD` (the X connection's socket, owned by the caller, which must `stop()`
    /// this watcher before closing it) and calls `handler` on its own thread.
    init?(connectionFD: Int32, minimumInterval: Double, handler: @escaping @Sendable () -> Void) {
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
        state = Mutex(State(pacer: FrameSignalPacer(minimumInterval: minimumInterval)))
        let thread = Thread { [self] in run() }
        thread.name = "porthole.x11-frames"
        thread.start()
    }

    /// The mirror was advanced and read the connection; `morePending` when it saw events it did not
    /// act on yet (see `FrameSignalPacer`).
    func advanced(morePending: Bool) {
        let now = Self.now()
        state.withLock { $0.pacer.advanced(at: now, morePending: morePending) }
        wake()
    }

    /// Whether a burst of drawing is waiting for its signal (`FrameSignalPacer.isSettling`); never
    /// once the thread has ended.
    var isSettling: Bool {
        let now = Self.now()
        return state.withLock { $0.running && $0.pacer.isSettling(at: now) }
    }

    /// Ends the thread and waits for it; the connection may be closed afterwards.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        wake()
        finished.wait()
        close(wakeFD)
        close(wakeWriteFD)
    }

    private func run() {
        defer {
            state.withLock { $0.running = false }
            finished.signal()
        }
        var unread: Int32 = 0
        while true {
            let now = Self.now()
            let (step, stopping) = state.withLock { ($0.pacer.next(at: now), $0.stopping) }
            if stopping { return }
            switch step {
            case .signal:
                handler()
            case .watchConnection:
                guard let readable = waitForWake(timeout: -1, watchingConnection: true) else { return }
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

    /// A full pipe needs no more bytes: the thread is woken already.
    private func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
