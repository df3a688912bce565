/// A timer of an `EventThread`: armed for one deadline at a time (CLOCK_MONOTONIC nanoseconds,
/// `EventThread.monotonicNanoseconds()`), its handler runs on the thread once that deadline has
/// passed. Arming it again replaces the deadline; a handler can arm its own timer again. Used on
/// its thread only.
public final class EventTimer {
    let handler: () -> Void
    private let arm: (EventTimer) -> Void
    /// The deadline armed for, nil while disarmed.
    public private(set) var deadline: UInt64?
    /// Changes with every arming and disarming, so the queue can skip entries of an older one.
    private(set) var generation = 0

    init(handler: @escaping () -> Void, arm: @escaping (EventTimer) -> Void) {
        self.handler = handler
        self.arm = arm
    }

    /// Arms the timer for `deadline`, replacing any deadline it had.
    public func schedule(at deadline: UInt64) {
        generation &+= 1
        self.deadline = deadline
        arm(self)
    }

    /// Arms the timer `nanoseconds` from now.
    public func schedule(afterNanoseconds nanoseconds: UInt64) {
        schedule(at: EventThread.monotonicNanoseconds() &+ nanoseconds)
    }

    /// Disarms it: the handler does not run until the timer is armed again.
    public func cancel() {
        generation &+= 1
        deadline = nil
    }

    /// Called by the queue when the armed deadline passed: disarms, then runs the handler.
    func fire() {
        generation &+= 1
        deadline = nil
        handler()
    }
}

/// The armed timers of an `EventThread`, earliest deadline first: a binary heap whose entries of
/// timers since re-armed or cancelled are skipped when they come up (so arming is O(log n) and
/// never searches the heap).
struct EventTimerQueue {
    private struct Entry {
        var deadline: UInt64
        /// Arming order, so timers due at the same time fire in the order they were armed.
        var order: UInt64
        var timer: EventTimer
        var generation: Int
        func isBefore(_ other: Entry) -> Bool { (deadline, order) < (other.deadline, other.order) }
        var isCurrent: Bool { timer.generation == generation && timer.deadline == deadline }
    }

    private var heap: [Entry] = []
    private var nextOrder: UInt64 = 0
    /// The size at which stale entries are next dropped: twice the size after the last time, so
    /// the O(n log n) rebuild is paid once per n arms.
    private var compactionSize = 64

    mutating func arm(_ timer: EventTimer) {
        guard let deadline = timer.deadline else { return }
        heap.append(Entry(deadline: deadline, order: nextOrder, timer: timer, generation: timer.generation))
        nextOrder &+= 1
        siftUp(heap.count - 1)
        // Stale entries are dropped as they reach the top; a timer re-armed far ahead again and
        // again would leave them piling up below it, so the heap is also rebuilt from its current
        // entries each time it doubles.
        if heap.count > compactionSize { compact() }
    }

    /// The earliest deadline of an armed timer.
    var nextDeadline: UInt64? {
        mutating get {
            dropStaleTop()
            return heap.first?.deadline
        }
    }

    /// Takes the earliest timer due at `now` out of the queue, for the caller to `fire()`. The
    /// handler runs outside any access to the queue, so it may arm timers (its own included).
    mutating func takeDue(now: UInt64) -> EventTimer? {
        dropStaleTop()
        guard let top = heap.first, top.deadline <= now else { return nil }
        removeTop()
        return top.timer
    }

    mutating func removeAll() { heap.removeAll() }

    /// Entries held, stale ones included (for tests).
    var storedEntries: Int { heap.count }

    private mutating func compact() {
        heap = heap.filter(\.isCurrent)
        // A sorted array is a heap.
        heap.sort { $0.isBefore($1) }
        compactionSize = max(64, 2 * heap.count)
    }

    private mutating func dropStaleTop() {
        while let top = heap.first, !top.isCurrent { removeTop() }
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].isBefore(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < heap.count, heap[left].isBefore(heap[first]) { first = left }
            if right < heap.count, heap[right].isBefore(heap[first]) { first = right }
            if first == parent { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
