import DisplayProtocol
import Geometry

/// What the server has for one client and has not handed to its socket yet (docs/protocol.md §12
/// "Bounded queues"). Pure: messages in, messages out, no sockets.
///
/// Why it exists: a client that stops reading must not make the server buffer without end, and
/// must not hold up anyone else. The server hands messages to the socket only while the socket's
/// own queue is short; everything else waits here, where events that describe *state* are merged
/// instead of queued:
/// - PageFlip: one per output, the latest (its sequence, timestamp and commit request id);
/// - FrameReady: one per output, damage merged (more than 256 rects become their bounding box),
///   the cursor-image-changed flag kept, the newest sequence, cursor position and visibility. The
///   caller writes the newer frame into the pending event's buffer (`pendingFrameReady(for:)`);
/// - CursorImage: one per output, the latest; a pending FrameReady of that output moves behind it,
///   so FrameReady's "a CursorImage came just before" stays true;
/// - ClipboardText: one per output, the latest; LayoutRequest: one, entries merged per output;
/// - PointerEvent: a motion (the buttons of the output's previous PointerEvent) replaces the last
///   queued input event when that is a motion of the same output too; a press or release is
///   never merged, nor merged into, so it keeps its position;
/// - KeyEvent and other PointerEvents count against `maximumQueuedEvents` (256) together with
///   the clipboard and layout slots; past it the oldest queued key or pointer event is dropped.
///
/// A merged event is taken out of its place and appended, so it only ever comes later than it
/// would have, never earlier than something it must follow. Everything else (replies, Release,
/// ScanoutBuffers, OutputRemoved, Error) is queued in order and counted in bytes; past
/// `maximumQueuedBytes` a push is refused and the server disconnects the client.
///
/// `Attachment` is what travels with a message (the fds, at the edge); a merged-away message's
/// attachment is simply dropped, which closes its fds there.
struct ClientOutbox<Attachment> {
    struct Item {
        var message: ServerToClientMessage
        var requestID: UInt32
        var attachment: Attachment
        var byteCount: Int
        /// The message as encoded when it was pushed, so that sending it needs no second encoding;
        /// nil when none was given, or when a merge changed the message since.
        var encoded: [UInt8]?
        fileprivate var slot: Slot?
        fileprivate var countsAsEvent: Bool
        /// A merged FrameReady's whole damage, kept so that later merges cost one region union
        /// and the region stays exact even when the message carries its bounding box.
        fileprivate var mergedDamage: Region?
        /// A PointerEvent whose buttons are those of the output's previous one.
        fileprivate var isMotion = false
    }

    enum Admission: Equatable {
        /// Queued at the end.
        case queued
        /// Merged with an event of the same kind that was still waiting.
        case merged
        /// Queued, and the oldest queued key or pointer event was dropped for it; `first` is true
        /// the first time this outbox dropped one (the server logs it once).
        case droppedOldestEvent(first: Bool)
        /// Not queued: more than `maximumQueuedBytes` of unmergeable messages would be waiting.
        case refused
    }

    fileprivate enum Slot: Hashable {
        case pageFlip(UInt32), frameReady(UInt32), cursorImage(UInt32), clipboard(UInt32), layout
    }

    /// §12: input, clipboard and layout events queued per client.
    static var defaultMaximumQueuedEvents: Int { 256 }
    /// §8: damage rects per FrameReady.
    static var maximumDamageRects: Int { 256 }

    let maximumQueuedEvents: Int
    let maximumQueuedBytes: Int
    /// Absolute positions; nil where an item was merged away or dropped.
    private var items: [Item?] = []
    private var head = 0
    private var slots: [Slot: Int] = [:]
    /// Positions of queued key and pointer events, oldest first (some may be stale).
    private var eventPositions: [Int] = []
    private var eventHead = 0
    private(set) var count = 0
    /// Input, clipboard and layout events waiting (at most `maximumQueuedEvents`).
    private(set) var queuedEvents = 0
    /// Bytes of unmergeable messages waiting.
    private(set) var queuedBytes = 0
    /// Key and pointer events dropped so far.
    private(set) var droppedEvents = 0
    /// The buttons of each output's last PointerEvent pushed, sent or not.
    private var lastButtons: [UInt32: UInt16] = [:]

    init(maximumQueuedEvents: Int = Self.defaultMaximumQueuedEvents, maximumQueuedBytes: Int) {
        self.maximumQueuedEvents = maximumQueuedEvents
        self.maximumQueuedBytes = maximumQueuedBytes
    }

    var isEmpty: Bool { count == 0 }

    /// The FrameReady of `output` still waiting here, if any: a newer frame goes into its buffer.
    func pendingFrameReady(for output: UInt32) -> FrameReadyEvent? {
        guard let position = slots[.frameReady(output)], case .frameReady(let event)? = items[position]?.message else { return nil }
        return event
    }

    /// Queues `message` (its encoded size is `byteCount`), merging it where §12 says so.
    mutating func push(_ message: ServerToClientMessage, requestID: UInt32 = 0, attachment: Attachment, byteCount: Int) -> Admission {
        push(Item(message: message, requestID: requestID, attachment: attachment, byteCount: byteCount, encoded: nil, slot: nil,
                  countsAsEvent: false, mergedDamage: nil))
    }

    /// Queues `message` with its bytes, encoded once by the caller: popped unmerged, the item
    /// carries them for the socket.
    mutating func push(_ message: ServerToClientMessage, requestID: UInt32 = 0, attachment: Attachment, encoded: [UInt8]) -> Admission {
        push(Item(message: message, requestID: requestID, attachment: attachment, byteCount: encoded.count, encoded: encoded, slot: nil,
                  countsAsEvent: false, mergedDamage: nil))
    }

    private mutating func push(_ pushed: Item) -> Admission {
        var item = pushed
        let message = item.message, byteCount = item.byteCount
        switch message {
        case .pageFlip(let event): item.slot = .pageFlip(event.outputID)
        case .frameReady(let event): item.slot = .frameReady(event.outputID)
        case .cursorImage(let event): item.slot = .cursorImage(event.outputID)
        case .clipboardText(let output, _): item.slot = .clipboard(output)
        case .layoutRequest: item.slot = .layout
        case .keyEvent: item.countsAsEvent = true
        case .pointerEvent(let pointer):
            item.isMotion = lastButtons[pointer.outputID] == pointer.buttons
            lastButtons[pointer.outputID] = pointer.buttons
            if item.isMotion, mergeMotion(pointer) { return .merged }
            item.countsAsEvent = true
        default:
            if queuedBytes > 0, queuedBytes + byteCount > maximumQueuedBytes { return .refused }
            queuedBytes += byteCount
            append(item)
            return .queued
        }
        var admission = Admission.queued
        if let slot = item.slot, let position = slots[slot], let old = remove(at: position) {
            (item.message, item.mergedDamage) = Self.merge(old, into: item.message)
            // FrameReady and LayoutRequest merge their contents; the others are the newest as pushed.
            if item.mergedDamage != nil || item.slot == .layout { item.encoded = nil }
            admission = .merged
        }
        append(item)
        if case .cursorImage(let output)? = item.slot, let frame = slots[.frameReady(output)], let pending = remove(at: frame) {
            append(pending)
        }
        guard queuedEvents > maximumQueuedEvents, dropOldestEvent() else { return admission }
        return .droppedOldestEvent(first: droppedEvents == 1)
    }

    /// The next message to send.
    mutating func popFirst() -> Item? {
        while head < items.count {
            let item = items[head]
            items[head] = nil
            head += 1
            guard let item else { continue }
            forget(item, at: head - 1)
            compactIfWorthIt()
            return item
        }
        return nil
    }

    /// Drops the FrameReady of `output` that still waits, and its CursorImage unless
    /// `keepingCursor`: the consumer unsubscribed or subscribed again (§6.2, §6.3), or the
    /// output's buffers were replaced (§7.18; the cursor stays valid then).
    mutating func discardPendingFrames(of output: UInt32, keepingCursor: Bool = false) {
        for slot in keepingCursor ? [Slot.frameReady(output)] : [.frameReady(output), .cursorImage(output)] {
            if let position = slots[slot] { _ = remove(at: position) }
        }
    }

    /// Drops everything (the connection is gone).
    mutating func removeAll() {
        let buttons = lastButtons
        self = ClientOutbox(maximumQueuedEvents: maximumQueuedEvents, maximumQueuedBytes: maximumQueuedBytes)
        lastButtons = buttons
    }

    // MARK: - Merging

    private static func merge(_ old: Item, into new: ServerToClientMessage) -> (ServerToClientMessage, Region?) {
        switch (old.message, new) {
        case (.frameReady(let older), .frameReady(var newer)):
            var region = old.mergedDamage ?? region(of: older.damage)
            region.formUnion(Self.region(of: newer.damage))
            var rects = region.rects
            if rects.count > maximumDamageRects { rects = [region.bounds] }
            newer.damage = rects.map { WireRect(x: Int32($0.x), y: Int32($0.y), width: UInt32($0.width), height: UInt32($0.height)) }
            newer.flags.formUnion(older.flags.intersection(.cursorImageChanged))
            return (.frameReady(newer), region)
        case (.layoutRequest(let older), .layoutRequest(let newer)):
            let replaced = Set(newer.map(\.outputID))
            let merged = older.filter { !replaced.contains($0.outputID) } + newer
            return (.layoutRequest(Array(merged.suffix(DisplayProtocolLimits.version1.maximumListEntries))), nil)
        default:
            // PageFlip, CursorImage, ClipboardText: the latest wins.
            return (new, nil)
        }
    }

    private static func region(of rects: [WireRect]) -> Region {
        Region(rects: rects.map { Rect(x: Int($0.x), y: Int($0.y), width: Int($0.width), height: Int($0.height)) })
    }

    /// A motion replaces the position of the last queued input event when that is a motion of
    /// the same output.
    private mutating func mergeMotion(_ pointer: PointerInput) -> Bool {
        guard eventHead < eventPositions.count, let last = eventPositions.last, let item = items[last], item.isMotion,
              case .pointerEvent(let queued) = item.message, queued.outputID == pointer.outputID, queued.buttons == pointer.buttons
        else { return false }
        items[last]?.message = .pointerEvent(pointer)
        items[last]?.encoded = nil
        return true
    }

    // MARK: - Bookkeeping

    private mutating func append(_ item: Item) {
        let position = items.count
        items.append(item)
        count += 1
        if let slot = item.slot { slots[slot] = position }
        if item.countsAsEvent || Self.isEventSlot(item.slot) { queuedEvents += 1 }
        if item.countsAsEvent { eventPositions.append(position) }
        compactIfWorthIt()
    }

    private static func isEventSlot(_ slot: Slot?) -> Bool {
        switch slot {
        case .clipboard?, .layout?: return true
        default: return false
        }
    }

    @discardableResult
    private mutating func remove(at position: Int) -> Item? {
        guard position >= head, position < items.count, let item = items[position] else { return nil }
        items[position] = nil
        forget(item, at: position)
        return item
    }

    /// Updates the counters for an item that left the queue (sent, merged away or dropped).
    private mutating func forget(_ item: Item, at position: Int) {
        count -= 1
        if let slot = item.slot, slots[slot] == position { slots[slot] = nil }
        if item.countsAsEvent || Self.isEventSlot(item.slot) { queuedEvents -= 1 }
        if item.slot == nil, !item.countsAsEvent { queuedBytes -= item.byteCount }
        if item.countsAsEvent {
            while eventHead < eventPositions.count, eventPositions[eventHead] < head || items[eventPositions[eventHead]] == nil {
                eventHead += 1
            }
            if eventHead == eventPositions.count { eventPositions.removeAll(keepingCapacity: true); eventHead = 0 }
        }
    }

    /// Drops the oldest queued key or pointer event; false when there is none.
    private mutating func dropOldestEvent() -> Bool {
        while eventHead < eventPositions.count {
            let position = eventPositions[eventHead]
            if remove(at: position) != nil {
                droppedEvents += 1
                return true
            }
            eventHead += 1
        }
        return false
    }

    /// Rebuilds the storage from the live items once most of it is sent, merged-away or dropped
    /// entries, so that a client that never reads (whose events keep merging) costs memory for
    /// what waits, not for how long it has been waiting. Amortized O(1) per push or pop.
    private mutating func compactIfWorthIt() {
        guard items.count >= 64, items.count > 2 * count else { return }
        var live: [Item?] = []
        live.reserveCapacity(2 * count)
        slots = [:]
        eventPositions = []
        eventHead = 0
        for case let item? in items[head...] {
            let position = live.count
            live.append(item)
            if let slot = item.slot { slots[slot] = position }
            if item.countsAsEvent { eventPositions.append(position) }
        }
        items = live
        head = 0
    }

    /// Entries in storage, live or not: what `compactIfWorthIt` keeps bounded (for tests).
    var storedEntries: Int { items.count }
}
