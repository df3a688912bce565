#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims
import Dispatch
import Synchronization

/// One thread that waits in epoll(7) for its descriptors (`FDWatch`), its timers (`EventTimer`)
/// and work handed to it (`execute`), and runs them one at a time: a serial executor for state
/// that lives on one thread, like a serial dispatch queue with dispatch sources.
///
/// Why not a dispatch queue: on Linux, libdispatch watches every source from its manager thread,
/// which wakes a worker thread to run the handler, so each readable socket or timer costs two
/// thread wake-ups before any work is done. For the display device that was a third of the CPU a
/// small commit costs (docs/benchmarks.md, "The device on a thread of its own"). Here the thread
/// that waits in epoll runs the handler itself. Why not a SwiftNIO event loop: NIO cannot receive
/// the fds a producer passes with SCM_RIGHTS, and has no public way to watch a descriptor it does
/// not read itself.
///
/// Threading: `execute`, `sync` and `shutdown` may be called from any thread; `watch`,
/// `makeTimer` and everything on the objects they return only on this thread (from work it
/// runs). Work, descriptor handlers and timer handlers run in the order they become ready, never
/// concurrently.
///
/// Lifetime: the thread keeps the object alive until `shutdown()`; after that it runs the work
/// already handed to it and exits. Work handed to it later never runs, and `sync` then runs its
/// closure on the calling thread, since nothing else runs the state any more.
public final class EventThread: @unchecked Sendable {
    public let name: String
    private let epoll: FileDescriptorHandle
    private let wake: EventFD

    private struct Shared {
        var work: [@Sendable () -> Void] = []
        /// The eventfd was signalled and the thread has not read it yet: no second write needed.
        var wakePending = false
        var stopping = false
        var exited = false
    }
    private let shared = Mutex(Shared())
    /// pthread_self() of the thread once it runs (0 before).
    private let threadIdentity = Atomic<UInt>(0)

    // Confined to the thread.
    private var watches: [UInt64: FDWatch] = [:]
    private var nextWatchID: UInt64 = 1
    private var timers = EventTimerQueue()

    /// The data word of the wake-up eventfd in epoll; watches count from 1.
    private static let wakeID: UInt64 = 0

    /// Starts the thread (its name, as ps and perf show it, is cut to 15 bytes).
    public init(name: String) throws(SystemError) {
        self.name = name
        let fd = try retryingOnInterrupt("epoll_create1") { porthole_epoll_create() }
        epoll = FileDescriptorHandle(adopting: fd)
        wake = try EventFD.create(nonblocking: true)
        let wakeFD = wake.handle.rawValue
        _ = try retryingOnInterrupt("epoll_ctl(ADD, eventfd)") {
            porthole_epoll_ctl(fd, PORTHOLE_EPOLL_CTL_ADD, wakeFD, UInt32(PORTHOLE_EPOLL_IN), Self.wakeID)
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let retained = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { argument in
            let eventThread = Unmanaged<EventThread>.fromOpaque(argument!).takeRetainedValue()
            eventThread.run()
            return nil
        }, retained)
        if result != 0 {
            Unmanaged<EventThread>.fromOpaque(retained).release()
            throw SystemError(operation: "pthread_create(\(name))", errno: result)
        }
    }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool {
        threadIdentity.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Runs `work` on the thread, after the work handed over before it.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        _ = enqueue(work)
    }

    /// Hands `work` to the thread unless it has exited; false then.
    private func enqueue(_ work: @escaping @Sendable () -> Void) -> Bool {
        let onThread = isCurrent
        let (enqueued, signal) = shared.withLock { state -> (Bool, Bool) in
            guard !state.exited else { return (false, false) }
            state.work.append(work)
            // On the thread, the loop looks at the work before it sleeps again.
            guard !onThread, !state.wakePending else { return (true, false) }
            state.wakePending = true
            return (true, true)
        }
        if signal { try? wake.signal() }
        return enqueued
    }

    /// Runs `work` on the thread and waits for it; at once when called on the thread, or once the
    /// thread has exited (nothing else runs its state then).
    public func sync<T>(_ work: () -> T) -> T {
        if isCurrent { return work() }
        return withoutActuallyEscaping(work) { escapable in
            let done = DispatchSemaphore(value: 0)
            let slot = ResultSlot<T>()
            let box = UncheckedBox(escapable)
            guard enqueue({
                slot.value = box.value?()
                // The thread may hold this job a while longer; `work` must not outlive `sync`.
                box.value = nil
                done.signal()
            }) else { return escapable() }
            done.wait()
            return slot.value!
        }
    }

    /// Lets the thread finish: it runs the work already handed to it, then exits and closes its
    /// epoll and eventfd. Watches and timers still registered are dropped (their owners close
    /// their own descriptors).
    public func shutdown() {
        let signal = shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.stopping = true
            return !isCurrent
        }
        if signal { try? wake.signal() }
    }

    // MARK: - On the thread

    /// Starts watching `fd` (which the caller keeps open until it cancels the watch) with no
    /// interest yet; see `FDWatch.setInterest`.
    public func watch(_ fd: Int32, onReadable: @escaping () -> Void, onWritable: @escaping () -> Void = {}) -> FDWatch {
        precondition(isCurrent, "EventThread.watch off its thread")
        let id = nextWatchID
        nextWatchID += 1
        let watch = FDWatch(fd: fd, id: id, epoll: epoll.rawValue, onReadable: onReadable, onWritable: onWritable,
                            forget: { [unowned self] in watches[id] = nil })
        watches[id] = watch
        return watch
    }

    /// A timer whose `handler` runs on this thread when it is due; it starts disarmed.
    public func makeTimer(_ handler: @escaping () -> Void) -> EventTimer {
        precondition(isCurrent, "EventThread.makeTimer off its thread")
        return EventTimer(handler: handler) { [unowned self] timer in timers.arm(timer) }
    }

    /// Runs `work` once, `nanoseconds` from now; cancel the returned timer to drop it.
    @discardableResult
    public func schedule(afterNanoseconds nanoseconds: UInt64, _ work: @escaping () -> Void) -> EventTimer {
        let timer = makeTimer(work)
        timer.schedule(at: Self.monotonicNanoseconds() &+ nanoseconds)
        return timer
    }

    /// CLOCK_MONOTONIC in nanoseconds, the clock of timer deadlines.
    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    private func run() {
        threadIdentity.store(UInt(pthread_self()), ordering: .releasing)
        _ = porthole_set_thread_name(name)
        var ready = [porthole_epoll_event](repeating: porthole_epoll_event(), count: 64)
        // Whether the last round went straight on to the work its own handlers queued, without
        // polling: at most one round in a row does, so descriptors are never kept waiting.
        var pollSkipped = false
        while true {
            let (work, stopping) = shared.withLock { state -> ([@Sendable () -> Void], Bool) in
                let work = state.work
                state.work.removeAll(keepingCapacity: true)
                return (work, state.stopping)
            }
            for item in work { item() }
            if stopping {
                // Exits once no work is left; later work is refused (`enqueue`), so none is lost
                // unseen: `sync` then runs on its caller.
                let done = shared.withLock { state -> Bool in
                    if state.work.isEmpty { state.exited = true }
                    return state.exited
                }
                if done { break }
                continue
            }
            // Earliest first; a timer a handler arms for now or earlier runs in this round too.
            let now = Self.monotonicNanoseconds()
            while let due = timers.takeDue(now: now) { due.fire() }
            let moreWork = shared.withLock { !$0.work.isEmpty }
            // Work queued on the thread by this round (a channel's flush after a send: one a
            // frame, for the reply to each commit) runs next without a poll that would only find
            // nothing ready: one epoll_wait less per commit.
            if moreWork, !pollSkipped {
                pollSkipped = true
                continue
            }
            pollSkipped = false
            let timeout: Int64
            if moreWork {
                timeout = 0
            } else if let next = timers.nextDeadline {
                let now = Self.monotonicNanoseconds()
                timeout = next > now ? Int64(clamping: next - now) : 0
            } else {
                timeout = -1
            }
            let count = ready.withUnsafeMutableBufferPointer { porthole_epoll_wait(epoll.rawValue, $0.baseAddress, Int32($0.count), timeout) }
            if count < 0 { continue } // EINTR
            for index in 0..<Int(count) {
                let event = ready[index]
                if event.data == Self.wakeID {
                    _ = try? wake.read()
                    shared.withLock { $0.wakePending = false }
                    continue
                }
                // An earlier handler of this round may have cancelled it. Looked up first, so that
                // its handlers may add and cancel watches.
                let watch = watches[event.data]
                watch?.deliver(event.events)
            }
        }
        watches.removeAll()
        timers.removeAll()
        try? wake.handle.close()
        try? epoll.close()
    }
}

/// Carries a non-Sendable value into work run on the thread, where `sync` waits for it.
private final class UncheckedBox<T>: @unchecked Sendable {
    var value: T?
    init(_ value: T) { self.value = value }
}

/// Where `sync`'s work leaves its result; written on the thread before the semaphore is signalled.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
