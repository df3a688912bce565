import Capture
import Display
import Geometry
import NIOConcurrencyHelpers
import NIOCore
import Pixels
import RFB

/// One output as the network edge sees it: a frame source advanced on a frame clock, and the
/// viewers subscribed to it (DESIGN.md, "frame bus").
///
/// The clock polls the source `frameRate` times a second. A source that can say when it has a new
/// frame (`FrameSignalling`, a display-device output) is also advanced as soon as it says so, so its
/// frame does not wait for the next poll; signals that come while an advance is already queued are
/// merged into it. A source that signals from a thread of its own that may do the work
/// (`advancesWhereSignalled`: the display device's thread, the X11 mirror's watcher) is advanced
/// right there, one thread hand-off less per frame; advances and publishes are serialized by a
/// lock (`serialized`), so they may run on that thread and on the event loop alike. While such a
/// source also polls itself (`pollsItself`: the X11 mirror), the clock stands by at one poll a
/// second (`standbyInterval`).
///
/// Each frame is published together with its damage, so a viewer always encodes the very frame its
/// accumulated damage describes; a newer frame's moves could otherwise refer to pixels the viewer
/// was already sent. Frames are copy-on-write values: the source draws into a new copy only while a
/// viewer still holds the old one, and no viewer ever blocks the source.
public final class LiveOutput: @unchecked Sendable {
    public struct Frame: Sendable {
        public var pixels: PixelBuffer
        public var sequence: UInt64
        /// The pointer as of this frame: viewers either draw it themselves or get it drawn in.
        public var cursor: CursorState
        /// The screens of the output (ExtendedDesktopSize); one covering it unless a viewer asked
        /// for another layout or the source has screens of its own (ScreenLayoutProviding).
        public var layout: DesktopLayout
        /// The viewer whose SetDesktopSize made this frame's size or layout, if one did.
        public var resizedBy: ObjectIdentifier?
        /// The viewer whose pointer event moved the cursor in this frame, if one did.
        public var cursorMovedBy: ObjectIdentifier?
        /// The desktop name viewers show (ServerInit, then DesktopName when it changes).
        public var name: String
    }

    /// The pointer image and where it is. `imageSerial` changes whenever the image does, so viewers
    /// compare a number instead of pixels. The position is nil until something points (a viewer's
    /// pointer event, or a source's own pointer moving, CursorPositionProviding): an output
    /// nobody points at shows no cursor, so snapshots of an untouched output are the source's
    /// exact pixels.
    public struct CursorState: Equatable, Sendable {
        public var image: CursorImage
        public var imageSerial: Int
        public var position: Point?
        public var footprint: Rect? { position.map { image.footprint(at: $0) } }
    }


    public let name: String
    private let source: FrameSource
    private let eventLoop: EventLoop
    private let frameInterval: TimeAmount
    private let lock = NIOLock()
    private var current: Frame
    private var subscribers: [ObjectIdentifier: OutputSubscriber] = [:]
    /// Held while the source is advanced or a frame published (`serialized`), on whichever thread
    /// that runs: the event loop, or a signalling source's own thread. What it guards (the source's
    /// advance, `lastMoveOffset`, the refinery) is touched nowhere else.
    private let publishLock = NIOLock()
    /// The offset of the last frame's move, which the refinery tries first for the next frame
    /// (scrolls and drags keep their offset). Touched under `publishLock` only.
    private var lastMoveOffset: Point?
    /// Whether the refinery cuts changed tiles to the pixels that differ, from how often the cut
    /// was used lately (`TrimAdvisor`). Touched under `publishLock` only.
    private var trimAdvisor = TrimAdvisor()
    /// The last layout `tick` made from the source's screens, with what it was made from
    /// (`screensLayout`). Touched under `publishLock` only.
    private var screensLayoutCache: (size: Size, screens: [SourceScreen], layout: DesktopLayout)?
    /// Subscribers known to take CopyRect (`setTakesCopies`); a new one counts as not until told.
    private var subscribersTakingCopies = Set<ObjectIdentifier>()
    /// The clipboard text a viewer last provided, offered to the output's other viewers. Unicode:
    /// viewers with Extended Clipboard exchange UTF-8, the others Latin-1 (converted at the edge).
    private var clipboard = ""
    /// The frame clock's next poll; none once stopped.
    private let clock = NIOLockedValueBox(ClockState())
    /// `resting`: stopped while a `PausesWhileUnwatched` source has no viewer (`restClockIfUnwatched`).
    private struct ClockState { var next: Scheduled<Void>?; var stopped = false; var resting = false }
    /// The clock's interval while the source polls itself (`FrameSignalling.pollsItself`): a
    /// fallback for signals that never come.
    static let standbyInterval = TimeAmount.seconds(1)
    /// Whether signals from a `FrameSignalling` source are acted on, and whether an advance they
    /// asked for is already queued on the event loop (so a burst of signals queues one).
    private let signals = NIOLockedValueBox(SignalState())
    /// The source's `FrameSignalling.advancesWhereSignalled`, read once: signals of such a source
    /// are acted on in the handler, on the signalling thread.
    private let advancesWhereSignalled: Bool
    private struct SignalState { var running = false; var queued = false }
    /// Shrinks the source's damage to the tiles that changed since the previous frame, and finds
    /// moves in it when the source reports none.
    private let refinery = DamageRefinery(moveDetector: MoveDetector(), trimmer: ChangedPixelTrimmer())
    /// Rectangles of the latest frame encoded by one viewer, for the others with the same format
    /// and a stateless encoding (Raw, RRE, Hextile).
    let sharedRectangles = EncodedRectangleCache()
    private let startTime = NIODeadline.now()
    /// Whether a `PausesWhileUnwatched` source has rested since the last advance because nobody
    /// watched (from the start: the first viewer may come long after). The advance that ends the
    /// pause drops the bell: it rang for nobody. Touched under `publishLock` only.
    private var pausedUnwatched: Bool
    /// What a `WatchStateObserving` source was last told (nil: nothing yet). Touched under
    /// `publishLock` only.
    private var toldWatched: Bool?
    /// The desktop name follows the source's own (`NameProviding`) unless one was given.
    private let followsSourceName: Bool
    /// The source's optional protocols that every frame consults.
    private let capabilities: SourceCapabilityLookup

    public init(name: String, desktopName: String = "Porthole", followsSourceName: Bool = true, source: FrameSource, eventLoop: EventLoop,
                frameRate: Double) {
        self.name = name
        self.followsSourceName = followsSourceName
        self.source = source
        self.eventLoop = eventLoop
        capabilities = SourceCapabilityLookup(source)
        advancesWhereSignalled = capabilities.signalling?.advancesWhereSignalled ?? false
        pausedUnwatched = capabilities.pausesWhileUnwatched
        // As slow as once an hour: a signalling source needs the poll only as a fallback.
        frameInterval = .nanoseconds(Int64(1_000_000_000 / max(1.0 / 3600, frameRate)))
        let image = capabilities.cursor?.cursor ?? .arrow
        current = Frame(pixels: source.frame, sequence: 0,
                        cursor: CursorState(image: image, imageSerial: 1, position: nil),
                        layout: Self.layout(of: source, screens: capabilities.screens),
                        name: (followsSourceName ? capabilities.name?.desktopName : nil) ?? desktopName)
    }

    /// The screens the source reports (ScreenLayoutProviding) as a layout of its current frame, or
    /// one screen covering the frame when it reports none or a set that is not a valid layout
    /// (rfbproto "Screen Model": each screen non-empty and inside the framebuffer, ids unique).
    static func layout(of source: FrameSource, screens provider: ScreenLayoutProviding?) -> DesktopLayout {
        layout(size: source.frame.size, screens: provider?.screens ?? [])
    }

    static func layout(size: Size, screens: [SourceScreen]) -> DesktopLayout {
        let single = DesktopLayout(singleScreen: size)
        guard !screens.isEmpty else { return single }
        let layout = DesktopLayout(size: size, screens: screens.map { Screen(id: $0.id, rect: $0.rect) })
        return layout.validationFailure(maximumSide: Int(UInt16.max)) == nil ? layout : single
    }

    /// The latest frame (a copy-on-write value; cheap to take).
    public var frame: Frame { lock.withLock { current } }

    public func start() {
        if capabilities.watchObserver != nil { serialized { $0.tellWatched($0.subscriberCount > 0) } }
        scheduleTick()
        guard let signalling = capabilities.signalling else { return }
        signals.withLockedValue { $0.running = true }
        signalling.onFrameReady { [weak self] in self?.frameReady() }
    }

    public func stop() {
        signals.withLockedValue { $0.running = false }
        let next = clock.withLockedValue { state -> Scheduled<Void>? in
            state.stopped = true
            defer { state.next = nil }
            return state.next
        }
        next?.cancel()
    }

    /// The clock's next poll: `frameInterval` after this one ends, or `standbyInterval` while the
    /// source polls itself (asked each time: the X11 mirror stops polling when its X server goes).
    private func scheduleTick() {
        var interval = frameInterval
        if capabilities.signalling?.pollsItself == true { interval = max(interval, Self.standbyInterval) }
        let next = eventLoop.scheduleTask(in: interval) { [weak self] in
            guard let self else { return }
            let resting = self.serialized { output -> Bool in
                if output.restClockIfUnwatched() { return true }
                output.tick()
                return false
            }
            if !resting { self.scheduleTick() }
        }
        let stopped = clock.withLockedValue { state -> Bool in
            if !state.stopped { state.next = next }
            return state.stopped
        }
        if stopped { next.cancel() }
    }

    /// Stops the clock while a `PausesWhileUnwatched` source has no viewer. The idle demo desktop
    /// took 1.0% of a core drawing; with its advances skipped, 0.2%, the clock's 30 wake-ups a
    /// second; with the clock resting, no CPU tick in 20 s. The subscriber count is read under
    /// the clock's lock, so a viewer subscribing meanwhile finds the clock resting and wakes it
    /// (`wakeClock`), and the source is brought to now first (`resumeIfPaused`). Runs under
    /// `publishLock`.
    private func restClockIfUnwatched() -> Bool {
        guard capabilities.pausesWhileUnwatched else { return false }
        let resting = clock.withLockedValue { state -> Bool in
            guard !state.stopped, subscriberCount == 0 else { return false }
            state.resting = true
            state.next = nil
            return true
        }
        if resting { pausedUnwatched = true }
        return resting
    }

    /// Restarts a resting clock (a viewer subscribed).
    private func wakeClock() {
        let wake = clock.withLockedValue { state -> Bool in
            guard state.resting, !state.stopped else { return false }
            state.resting = false
            return true
        }
        if wake { scheduleTick() }
    }

    /// The source has a new frame (on any thread): advance it now, on the signalling thread when
    /// the source allows (`advancesWhereSignalled`), else on the event loop unless an advance is
    /// already queued there that will pick this frame up too.
    private func frameReady() {
        if advancesWhereSignalled {
            guard signals.withLockedValue({ $0.running }) else { return }
            serialized { $0.tick() }
            return
        }
        let schedule = signals.withLockedValue { state -> Bool in
            guard state.running, !state.queued else { return false }
            state.queued = true
            return true
        }
        guard schedule else { return }
        eventLoop.execute {
            // Cleared before advancing: a signal that comes during the advance queues another.
            self.signals.withLockedValue { $0.queued = false }
            self.serialized { $0.tick() }
        }
    }

    /// Runs `body` while no other advance or publish runs (`publishLock`). Never call it from
    /// within: the lock is not recursive.
    private func serialized<T>(_ body: (LiveOutput) -> T) -> T {
        publishLock.withLock { body(self) }
    }

    /// Registers `subscriber` and returns the frame it starts from.
    func subscribe(_ subscriber: OutputSubscriber) -> Frame {
        guard capabilities.pausesWhileUnwatched || capabilities.watchObserver != nil else { return register(subscriber) }
        // Registered in the same serialized run that brings the source to now, so a last viewer's
        // leaving (`unsubscribe`) cannot tell the source it is unwatched in between.
        let start = serialized { output -> Frame in
            output.resumeIfPaused()
            if output.toldWatched == false {
                output.tellWatched(true)
                output.tick()
            }
            return output.register(subscriber)
        }
        wakeClock()
        return start
    }

    /// Tells a `WatchStateObserving` source whether anybody watches, when that changed. Runs
    /// under `publishLock`.
    private func tellWatched(_ watched: Bool) {
        guard let observer = capabilities.watchObserver, toldWatched != watched else { return }
        toldWatched = watched
        observer.setWatched(watched)
    }

    private func register(_ subscriber: OutputSubscriber) -> Frame {
        lock.withLock {
            subscribers[ObjectIdentifier(subscriber)] = subscriber
            return current
        }
    }

    func unsubscribe(_ subscriber: OutputSubscriber) {
        let remaining = lock.withLock { () -> Int in
            subscribers.removeValue(forKey: ObjectIdentifier(subscriber))
            subscribersTakingCopies.remove(ObjectIdentifier(subscriber))
            return subscribers.count
        }
        // On the event loop, not here: a viewer may leave from inside a publish (a write that
        // failed while a frame was delivered), where `publishLock` is held.
        guard remaining == 0, capabilities.watchObserver != nil else { return }
        eventLoop.execute {
            self.serialized { output in
                if output.subscriberCount == 0 { output.tellWatched(false) }
            }
        }
    }

    /// Whether `subscriber` takes moves as moves (a viewer that asked for CopyRect). While every
    /// subscriber does, the refinery need not work out each frame's changed pixels inside the
    /// moves (`DamageRefinery.refine`, `changedPixelsWanted`).
    func setTakesCopies(_ subscriber: OutputSubscriber, _ takesCopies: Bool) {
        lock.withLock {
            let id = ObjectIdentifier(subscriber)
            guard subscribers[id] != nil else { return }
            if takesCopies { subscribersTakingCopies.insert(id) } else { subscribersTakingCopies.remove(id) }
        }
    }

    /// Keyboard input for the source, if it takes input. Runs on the output's event loop, as all
    /// input does, so keys reach the source in order; a source that is advanced where it signals
    /// (`advancesWhereSignalled`) takes its input on another thread than its advances.
    func handleKey(down: Bool, keysym: UInt32) {
        eventLoop.execute { (self.source as? InputReceiving)?.key(down: down, keysym: keysym) }
    }

    /// A viewer moved the pointer: the source hears of it (if it takes input), and the shared
    /// pointer moves, so every viewer sees the cursor where it now is.
    func handlePointer(buttonMask: UInt16, x: Int, y: Int, from viewer: OutputSubscriber) {
        let mover = ObjectIdentifier(viewer)
        eventLoop.execute {
            (self.source as? InputReceiving)?.pointer(buttonMask: buttonMask, x: x, y: y)
            let position = Point(x: x, y: y)
            self.serialized { output in
                guard output.frame.cursor.position != position else { return }
                output.publish(damage: FrameDamage()) { $0.cursor.position = position; $0.cursorMovedBy = mover }
            }
        }
    }

    /// Clipboard text from a viewer (or, with no sender, from the source): kept as the output's
    /// clipboard, offered to every other viewer, and handed to a source that shares a clipboard.
    func handleClipboard(_ text: String, from sender: OutputSubscriber?) {
        let others = lock.withLock { () -> [OutputSubscriber] in
            clipboard = text
            return subscribers.values.filter { $0 !== sender }
        }
        for viewer in others { viewer.deliver { viewer.clipboardChanged(text) } }
        if sender != nil, let sharing = capabilities.clipboard {
            eventLoop.execute { sharing.setClipboard(text) }
        }
    }

    /// Rings every viewer's bell.
    func ringBell() {
        let targets = lock.withLock { Array(subscribers.values) }
        for viewer in targets { viewer.deliver { viewer.bellRang() } }
    }

    /// Renames the desktop: viewers that take DesktopName are told in their next update.
    public func rename(to name: String) {
        eventLoop.execute {
            self.serialized { output in
                guard output.frame.name != name else { return }
                output.publish(damage: FrameDamage()) { $0.name = name }
            }
        }
    }

    /// The output's clipboard as last provided.
    var clipboardText: String { lock.withLock { clipboard } }

    public enum ResizeOutcome: Equatable, Sendable {
        /// The resized frame was published; every viewer hears of it with that frame (the
        /// requester as `.thisClient`, from `Frame.resizedBy`).
        case resized
        /// The output already has that size and layout: nothing was published, so the requester
        /// must be answered directly.
        case unchanged
        /// The source's size is fixed (a still image): rfbproto status 1, "resize is
        /// administratively prohibited".
        case prohibited(String)
        /// The source can be resized, but not to this size (outside its `resizableRange`): rfbproto
        /// status 3, "invalid screen layout", as TigerVNC's Xvnc answers a size RandR cannot take.
        case invalidSize(String)
        /// The source passed the request on (a device output asks its producer) and has not
        /// changed yet: ExtendedDesktopSize status 4, "request forwarded", what QEMU answers when
        /// it passes a request to the guest's display; the change, if it comes, reaches every
        /// viewer as one made by the server.
        case forwarded
    }

    /// A viewer asks for a new size and screen layout (SetDesktopSize). Runs on the output's event
    /// loop; on success the resized frame is published like any other, so every viewer hears of it.
    func requestResize(to layout: DesktopLayout, by viewer: OutputSubscriber) -> EventLoopFuture<ResizeOutcome> {
        let requester = ObjectIdentifier(viewer)
        return eventLoop.submit { self.serialized { $0.resize(to: layout, requester: requester) } }
    }

    /// `requestResize`'s work, serialized with advances and publishes.
    private func resize(to layout: DesktopLayout, requester: ObjectIdentifier) -> ResizeOutcome {
        let size = layout.size
        guard let resizable = source as? ResizableSource else {
            return .prohibited("this output's size is fixed (it shows an image of that size)")
        }
        let range = resizable.resizableRange
        guard range.contains(size.width), range.contains(size.height) else {
            return .invalidSize("\(size) is outside \(range.lowerBound)...\(range.upperBound) on each side")
        }
        if size == frame.pixels.size && layout == frame.layout { return .unchanged }
        var damage = FrameDamage()
        if size != frame.pixels.size {
            damage = resizable.resize(to: size)
            // A source that only passes the request on keeps its picture for now.
            guard source.frame.size == size else { return .forwarded }
        }
        publish(damage: damage) { $0.layout = layout; $0.resizedBy = requester }
        return .resized
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }


    /// Ends a pause before a viewer subscribes, so that it starts from the picture of now (the
    /// demo's clock, not the minute its last viewer left). Runs under `publishLock`.
    private func resumeIfPaused() {
        guard pausedUnwatched else { return }
        pausedUnwatched = false
        tick(resuming: true)
    }

    /// The clock's poll (or a signal): advances the source to now and publishes the frame if
    /// anything changed. A source that rests while nobody watches is not polled then (the clock
    /// rests, `restClockIfUnwatched`). A bell taken on `resuming` from such a rest rang while
    /// nobody watched, and is dropped.
    private func tick(resuming: Bool = false) {
        let seconds = Double((NIODeadline.now() - startTime).nanoseconds) / 1e9
        let damage = source.advance(to: seconds)
        if let text = capabilities.clipboard?.takeClipboardChange() { handleClipboard(text, from: nil) }
        if capabilities.bell?.takeBell() == true && !resuming { ringBell() }
        // One snapshot of the current frame (each `frame` takes the lock and copies it).
        let now = frame
        let image = capabilities.cursor?.cursor
        let cursorChanged = image != nil && image != now.cursor.image
        let position = capabilities.cursorPosition?.takeCursorPositionChange()
        let cursorMoved = position != nil && position != now.cursor.position
        let layout = capabilities.screens.map { screensLayout(of: $0) }
        let relaidOut = layout != nil && layout != now.layout
        let sourceName = followsSourceName ? capabilities.name?.desktopName : nil
        let renamed = sourceName != nil && sourceName != now.name
        guard !damage.isEmpty || cursorChanged || cursorMoved || relaidOut || renamed else { return }
        publish(damage: damage) { frame in
            if let image, cursorChanged { frame.cursor.image = image; frame.cursor.imageSerial += 1 }
            if let position, cursorMoved { frame.cursor.position = position }
            if let layout, relaidOut { frame.layout = layout }
            if let sourceName, renamed { frame.name = sourceName }
        }
    }

    /// The layout of the source's screens (`layout(size:screens:)`), made again only when they or
    /// the frame's size changed since the last tick: validating it builds a set, and the X11
    /// mirror is asked every frame (1-2% of its CPU on typing).
    private func screensLayout(of provider: ScreenLayoutProviding) -> DesktopLayout {
        let size = source.frame.size, screens = provider.screens
        if let cached = screensLayoutCache, cached.size == size, cached.screens == screens { return cached.layout }
        let layout = Self.layout(size: size, screens: screens)
        screensLayoutCache = (size, screens, layout)
        return layout
    }

    /// Makes the source's picture (and whatever `change` does to the frame) the current frame and
    /// hands it, with its damage, to every subscriber on its own event loop.
    ///
    /// The damage viewers get is what the source reported, refined by comparing the new picture
    /// with the previous one tile by tile (`DamageRefinery`), so unchanged pixels a source reports
    /// are never encoded. The frame is published even when nothing is left of the damage: viewers
    /// then let go of the previous picture, which a source may be about to draw into (a frame
    /// still held would be copied whole first; see `PictureRing`).
    /// Runs under `publishLock` only (`serialized`), so `current` changes nowhere else meanwhile.
    private func publish(damage reported: FrameDamage, _ change: (inout Frame) -> Void) {
        let pixels = reported.isEmpty ? nil : source.frame
        var damage = reported
        let (viewers, copyless) = lock.withLock { (subscribers.count, subscribers.count - subscribersTakingCopies.count) }
        // With no viewer, nobody needs the damage refined (an output nobody watches costs no
        // reading); one that subscribes meanwhile takes the reported damage, a superset, as it is.
        if let pixels, viewers > 0 {
            // With no viewer taking copies a move only shapes their damage, so it is estimated
            // (`MoveDetector.detect(exact:)`); one that subscribes meanwhile is sent it as pixels.
            damage = refinery.refine(reported, previous: self.frame.pixels, current: pixels, changedPixelsWanted: copyless > 0,
                                     expectedMove: lastMoveOffset, exactMoves: copyless < viewers, advisor: &trimAdvisor)
            lastMoveOffset = damage.moves.first.map { Point(x: $0.dx, y: $0.dy) }
        }
        let (frame, targets) = lock.withLock { () -> (Frame, [OutputSubscriber]) in
            var next = current
            next.sequence += 1
            next.resizedBy = nil
            next.cursorMovedBy = nil
            if let pixels { next.pixels = pixels }
            change(&next)
            if next.pixels.size != next.layout.size { next.layout = DesktopLayout(singleScreen: next.pixels.size) }
            // A size change can leave the pointer outside; keep it on the screen.
            if let p = next.cursor.position {
                next.cursor.position = Point(x: min(max(0, p.x), max(0, next.pixels.width - 1)),
                                             y: min(max(0, p.y), max(0, next.pixels.height - 1)))
            }
            current = next
            return (current, Array(subscribers.values))
        }
        let refined = damage
        for subscriber in targets {
            subscriber.deliver { subscriber.frameArrived(frame, damage: refined) }
        }
    }
}

/// A consumer of one output's frames (a viewer connection). Its methods are called on its own
/// thread, through `deliver`.
protocol OutputSubscriber: AnyObject, Sendable {
    /// Runs `work` on the subscriber's thread: at once when the publisher runs there and the
    /// subscriber allows it (a viewer served on the display device's thread), later otherwise.
    func deliver(_ work: @escaping @Sendable () -> Void)
    func frameArrived(_ frame: LiveOutput.Frame, damage: FrameDamage)
    func clipboardChanged(_ text: String)
    func bellRang()
}
