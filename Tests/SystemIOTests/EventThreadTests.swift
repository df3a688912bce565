#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
@testable import SystemIO

/// `EventThread`: work in order, `sync`, timers by deadline, descriptor watches by interest, and
/// what happens after `shutdown`. Watches use a socket pair; everything else touches no descriptor.
struct EventThreadTests {
    @Test func workRunsOnTheThreadInTheOrderItWasHandedOver() throws {
        let thread = try EventThread(name: "test-order")
        defer { thread.shutdown() }
        let seen = Recorder<Int>()
        for i in 0..<100 { thread.execute { seen.record(thread.isCurrent ? i : -1) } }
        #expect(seen.wait { $0.count == 100 })
        #expect(seen.all == Array(0..<100))
        #expect(!thread.isCurrent)
    }

    @Test func syncReturnsTheResultAndRunsInlineOnTheThread() throws {
        let thread = try EventThread(name: "test-sync")
        defer { thread.shutdown() }
        #expect(thread.sync { thread.isCurrent ? 42 : 0 } == 42)
        // Called on the thread, sync must not wait for itself.
        let nested = Recorder<Int>()
        thread.execute { nested.record(thread.sync { 7 }) }
        #expect(nested.wait { $0 == [7] })
    }

    @Test func timersFireByDeadlineAndNotWhenCancelledOrReplaced() throws {
        let thread = try EventThread(name: "test-timers")
        defer { thread.shutdown() }
        let fired = Recorder<String>()
        thread.execute {
            let late = thread.makeTimer { fired.record("late") }
            let early = thread.makeTimer { fired.record("early") }
            let cancelled = thread.makeTimer { fired.record("cancelled") }
            let moved = thread.makeTimer { fired.record("moved") }
            late.schedule(afterNanoseconds: 60_000_000)
            early.schedule(afterNanoseconds: 20_000_000)
            cancelled.schedule(afterNanoseconds: 10_000_000)
            cancelled.cancel()
            moved.schedule(afterNanoseconds: 5_000_000)
            moved.schedule(afterNanoseconds: 40_000_000)
            // Keep them alive until they fire: the thread holds only armed ones.
            thread.schedule(afterNanoseconds: 200_000_000) { _ = (late, early, cancelled, moved); fired.record("end") }
        }
        #expect(fired.wait { $0.last == "end" })
        #expect(fired.all == ["early", "moved", "late", "end"])
    }

    @Test func aTimerCanArmItselfAgainFromItsHandler() throws {
        let thread = try EventThread(name: "test-rearm")
        defer { thread.shutdown() }
        let ticks = Recorder<UInt64>()
        thread.execute {
            var timer: EventTimer?
            var count = 0
            timer = thread.makeTimer {
                count += 1
                ticks.record(EventThread.monotonicNanoseconds())
                if count < 5 { timer?.schedule(afterNanoseconds: 2_000_000) } else { timer = nil }
            }
            timer?.schedule(afterNanoseconds: 2_000_000)
        }
        #expect(ticks.wait { $0.count == 5 })
        let times = ticks.all
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier >= 2_000_000, "never before its deadline") }
    }

    @Test func aWatchReportsOnlyWhatItIsInterestedIn() throws {
        let (a, b) = try UnixSocket.pair()
        let thread = try EventThread(name: "test-watch")
        defer { thread.shutdown() }
        let events = Recorder<String>()
        let watch = thread.sync {
            thread.watch(a.rawValue, onReadable: {
                var byte: UInt8 = 0
                if Glibc.read(a.rawValue, &byte, 1) == 1 { events.record("read \(byte)") }
            }, onWritable: { events.record("writable") })
        }
        // No interest yet: data waits unseen.
        socketWrite(b, 1)
        usleep(20_000)
        #expect(events.all.isEmpty)
        try thread.sync { Result { () throws(SystemError) in try watch.setInterest(readable: true, writable: false) } }.get()
        #expect(events.wait { $0 == ["read 1"] })
        // Writable is reported while asked for (the socket has room), then no more once dropped.
        try thread.sync { Result { () throws(SystemError) in try watch.setInterest(readable: true, writable: true) } }.get()
        #expect(events.wait { $0.contains("writable") })
        try thread.sync { Result { () throws(SystemError) in try watch.setInterest(readable: true, writable: false) } }.get()
        let count = events.all.count
        socketWrite(b, 2)
        #expect(events.wait { $0.last == "read 2" })
        #expect(!events.all.dropFirst(count).contains("writable"))
        // Cancelled: nothing more, even with data waiting.
        thread.sync { watch.cancel() }
        socketWrite(b, 3)
        usleep(20_000)
        #expect(events.all.last == "read 2")
        try a.close()
        try b.close()
    }

    /// Work queued on the thread runs before the next poll, but never more than one round in a
    /// row without one: work that keeps queueing more must not keep a ready descriptor waiting.
    @Test func workThatKeepsQueueingMoreDoesNotStarveWatches() throws {
        let (a, b) = try UnixSocket.pair()
        let thread = try EventThread(name: "test-busy")
        defer { thread.shutdown() }
        let events = Recorder<String>()
        let busy = BusyWork(thread: thread)
        let watch = thread.sync {
            thread.watch(a.rawValue, onReadable: {
                var byte: UInt8 = 0
                if Glibc.read(a.rawValue, &byte, 1) == 1 { events.record("read \(byte) after \(busy.rounds) rounds") }
            })
        }
        try thread.sync { Result { () throws(SystemError) in try watch.setInterest(readable: true, writable: false) } }.get()
        thread.execute { busy.start() }
        for _ in 0..<1000 where busy.rounds < 1000 { usleep(1_000) }
        #expect(busy.rounds >= 1000, "the work keeps queueing more")
        socketWrite(b, 9)
        #expect(events.wait(seconds: 10) { $0.count == 1 }, "the descriptor was served while work kept coming")
        let servedWhileBusy = busy.isRunning
        busy.stop()
        #expect(servedWhileBusy)
        #expect(events.all.first?.hasPrefix("read 9") == true)
        thread.sync { watch.cancel() }
        try a.close()
        try b.close()
    }

    @Test func afterShutdownSyncRunsOnTheCaller() throws {
        let thread = try EventThread(name: "test-shutdown")
        let ran = Recorder<Int>()
        thread.execute { ran.record(1) }
        thread.shutdown()
        // The work handed over before the shutdown still runs.
        #expect(ran.wait { $0 == [1] })
        var exited = false
        for _ in 0..<200 where !exited {
            exited = thread.sync { !thread.isCurrent }
            if !exited { usleep(5_000) }
        }
        #expect(exited, "once the thread has exited, sync runs its work on the caller")
    }
}

/// Work that queues itself again on its thread each time it runs, until stopped.
private final class BusyWork: Sendable {
    private let thread: EventThread
    private let state = Mutex((rounds: 0, running: false))
    init(thread: EventThread) { self.thread = thread }
    var rounds: Int { state.withLock { $0.rounds } }
    var isRunning: Bool { state.withLock { $0.running } }
    func start() {
        state.withLock { $0.running = true }
        step()
    }
    func stop() { state.withLock { $0.running = false } }
    private func step() {
        let again = state.withLock { s -> Bool in
            guard s.running else { return false }
            s.rounds += 1
            return true
        }
        if again { thread.execute { self.step() } }
    }
}

private func socketWrite(_ socket: FileDescriptorHandle, _ byte: UInt8) {
    var value = byte
    precondition(Glibc.write(socket.rawValue, &value, 1) == 1, "write failed: errno \(errno)")
}

/// `EventTimerQueue` alone: pure, no thread.
struct EventTimerQueueTests {
    @Test func dueTimersFireEarliestFirstAndInArmingOrderOnTies() {
        var queue = EventTimerQueue()
        var fired: [String] = []
        let timers = ["c", "a", "b", "d"].map { name in EventTimer(handler: { fired.append(name) }, arm: { _ in }) }
        let deadlines: [UInt64] = [30, 10, 10, 99]
        for (timer, deadline) in zip(timers, deadlines) {
            timer.schedule(at: deadline)
            queue.arm(timer)
        }
        #expect(queue.nextDeadline == 10)
        while let due = queue.takeDue(now: 30) { due.fire() }
        #expect(fired == ["a", "b", "c"])
        #expect(queue.nextDeadline == 99)
        #expect(timers[3].deadline == 99)
        #expect(timers[0].deadline == nil, "a timer that fired is disarmed")
    }

    @Test func reArmedAndCancelledTimersLeaveNoStaleFiring() {
        var queue = EventTimerQueue()
        var fired = 0
        let timer = EventTimer(handler: { fired += 1 }, arm: { _ in })
        // Re-armed far more often than the compaction threshold: one firing, at the last deadline.
        for deadline in stride(from: UInt64(1000), to: 1500, by: 1) {
            timer.schedule(at: deadline)
            queue.arm(timer)
        }
        #expect(queue.nextDeadline == 1499)
        #expect(queue.storedEntries <= 65, "stale entries are dropped as the heap grows")
        #expect(queue.takeDue(now: 1498) == nil)
        queue.takeDue(now: 2000)?.fire()
        #expect(fired == 1)
        #expect(queue.nextDeadline == nil)
        timer.schedule(at: 5)
        queue.arm(timer)
        timer.cancel()
        #expect(queue.takeDue(now: 10) == nil)
        #expect(fired == 1)
        #expect(queue.nextDeadline == nil)
    }
}
