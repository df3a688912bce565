import Foundation
import Glibc
import Synchronization
import SystemIO
import Testing
@testable import X11Capture

/// The watcher on its thread and its lifetime (X11FrameWatcher), on a socket pair standing in for
/// the X connection: the handler runs on the watcher's thread and may stop the watcher itself (the
/// advance it does found the X server gone), `stop()` never waits for a handler that is running
/// (which may wait for an advance on the event loop that is stopping it), and the connection's
/// owner is let go only once the thread no longer watches the descriptor.
@Suite struct X11FrameWatcherTests {
    /// Stands in for the X session that owns the connection.
    final class Owner {}

    /// Calls from the handler, and the watcher, which the handler needs in order to stop it.
    final class Handling: @unchecked Sendable {
        let calls = Atomic<Int>(0)
        let watcher = Mutex<X11FrameWatcher?>(nil)
        let gate = DispatchSemaphore(value: 0)

        /// The watcher, once the test has stored it: a handler may run before `init` returns (an
        /// idle poll is due at once), as the mirror's waits for its lock until the watcher is set.
        func awaitWatcher() -> X11FrameWatcher {
            while true {
                if let watcher = watcher.withLock({ $0 }) { return watcher }
                usleep(100)
            }
        }
    }

    struct UncheckedWatcher: @unchecked Sendable {
        let watcher: X11FrameWatcher?
        init(_ watcher: X11FrameWatcher?) { self.watcher = watcher }
    }

    private static func socketPair() throws -> (watched: Int32, peer: Int32) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { throw POSIXError(.EIO) }
        return (ends[0], ends[1])
    }

    /// Polls `condition` every millisecond for up to five seconds.
    private static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<5000 {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    @Test func theHandlerMayStopItsOwnWatcherAndTheOwnerIsLetGoAfterwards() throws {
        let (watched, peer) = try Self.socketPair()
        let thread = try EventThread(name: "test.x11")
        defer { thread.shutdown(); close(watched); close(peer) }
        let handling = Handling()
        weak var weakOwner: Owner?
        do {
            let owner = Owner()
            weakOwner = owner
            let watcher = X11FrameWatcher(thread: thread, connectionFD: watched, keepingAlive: owner, minimumInterval: 1.0 / 60) {
                handling.calls.add(1, ordering: .relaxed)
                // As an advance that lost the X server does, on the watcher's own thread.
                handling.watcher.withLock { $0 }?.stop()
            }
            handling.watcher.withLock { $0 = watcher }
        }
        usleep(20_000)
        #expect(weakOwner != nil, "the owner was let go while the watcher's thread still runs")
        var byte: UInt8 = 1
        #expect(write(peer, &byte, 1) == 1)
        #expect(Self.eventually { handling.calls.load(ordering: .relaxed) == 1 }, "the readable connection was not signalled")
        #expect(Self.eventually { weakOwner == nil }, "the owner was kept after the watcher stopped from its handler")
        #expect(write(peer, &byte, 1) == 1)
        usleep(50_000)
        #expect(handling.calls.load(ordering: .relaxed) == 1, "a stopped watcher signalled again")
    }

    @Test func stopDoesNotWaitForAHandlerThatIsRunning() throws {
        let (watched, peer) = try Self.socketPair()
        let thread = try EventThread(name: "test.x11")
        defer { thread.shutdown(); close(watched); close(peer) }
        let handling = Handling()
        weak var weakOwner: Owner?
        var watcher: X11FrameWatcher?
        do {
            let owner = Owner()
            weakOwner = owner
            watcher = X11FrameWatcher(thread: thread, connectionFD: watched, keepingAlive: owner, minimumInterval: 1.0 / 60) {
                handling.calls.add(1, ordering: .relaxed)
                // An advance waiting for the one the frame clock runs, whose thread stops us.
                handling.gate.wait()
            }
        }
        var byte: UInt8 = 1
        #expect(write(peer, &byte, 1) == 1)
        #expect(Self.eventually { handling.calls.load(ordering: .relaxed) == 1 }, "the readable connection was not signalled")
        // On a thread of its own, so that a stop() that waits fails the test instead of hanging it.
        let stopped = DispatchSemaphore(value: 0)
        let stopping = UncheckedWatcher(watcher)
        Thread { stopping.watcher?.stop(); stopped.signal() }.start()
        #expect(stopped.wait(timeout: .now() + 2) == .success, "stop() waited for the running handler")
        #expect(weakOwner != nil, "the owner was let go while the handler still runs")
        #expect(watcher?.isSettling == false)
        handling.gate.signal()
        #expect(Self.eventually { weakOwner == nil }, "the owner was kept after the thread ended")
        watcher = nil
        #expect(handling.calls.load(ordering: .relaxed) == 1)
    }

    /// Reads everything waiting on `fd`, as an advance does.
    private static func drain(_ fd: Int32) {
        var bytes = [UInt8](repeating: 0, count: 4096)
        while recv(fd, &bytes, bytes.count, Int32(MSG_DONTWAIT)) > 0 {}
    }

    /// A burst of bytes is one signal once it settles; the advance that answers it lets the watcher
    /// watch again, and the next write is the next signal. With a poll interval an idle connection is
    /// signalled that often, from timers on the thread.
    @Test func aBurstIsOneSignalAndAnIdleConnectionIsPolled() throws {
        let (watched, peer) = try Self.socketPair()
        let thread = try EventThread(name: "test.x11")
        defer { thread.shutdown(); close(watched); close(peer) }
        let handling = Handling()
        let owner = Owner()
        let onThread = Atomic<Bool>(true)
        // As the mirror does: the handler advances, reading the connection, and says so.
        let watcher = X11FrameWatcher(thread: thread, connectionFD: watched, keepingAlive: owner, minimumInterval: 1.0 / 60) {
            if !thread.isCurrent { onThread.store(false, ordering: .relaxed) }
            handling.calls.add(1, ordering: .relaxed)
            Self.drain(watched)
            handling.awaitWatcher().advanced(morePending: false)
        }
        handling.watcher.withLock { $0 = watcher }
        // Five bytes at once: written one by one with pauses, a loaded machine may stretch a pause
        // past the settle time and rightly make two bursts of them (the pacer's own tests time
        // bursts exactly, with a clock of their own).
        var burst: [UInt8] = [1, 2, 3, 4, 5]
        #expect(write(peer, &burst, burst.count) == burst.count)
        #expect(Self.eventually { handling.calls.load(ordering: .relaxed) >= 1 }, "the burst was not signalled")
        usleep(50_000)
        #expect(handling.calls.load(ordering: .relaxed) == 1, "a burst of five bytes was signalled more than once")
        var byte: UInt8 = 1
        #expect(write(peer, &byte, 1) == 1)
        #expect(Self.eventually { handling.calls.load(ordering: .relaxed) == 2 }, "a write after the advance was not signalled")
        watcher.stop()
        #expect(Self.eventually { !watcher.isRunning })
        let ranOnThread = onThread.load(ordering: .relaxed)
        #expect(ranOnThread, "the handler ran off the watcher's thread")

        let polling = Handling()
        let poller = X11FrameWatcher(thread: thread, connectionFD: watched, keepingAlive: owner, minimumInterval: 1.0 / 60,
                                     pollInterval: 0.01) {
            polling.calls.add(1, ordering: .relaxed)
            polling.awaitWatcher().advanced(morePending: false)
        }
        polling.watcher.withLock { $0 = poller }
        usleep(200_000)
        poller.stop()
        let polls = polling.calls.load(ordering: .relaxed)
        // 20 polls due in 0.2 s at 100 Hz; a loaded machine may fall behind, but not to one or two
        // (without the poll's timer there is one: the poll due at once).
        #expect((3...21).contains(polls), "\(polls) polls in 0.2 s at a 0.01 s interval")
    }
}
