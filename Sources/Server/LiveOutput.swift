import Capture
import Display
import Geometry
import NIOConcurrencyHelpers
import NIOCore
import Pixels

/// One output as the network edge sees it: a frame source advanced on a frame clock, and the
/// viewers subscribed to it (DESIGN.md, "frame bus").
///
/// Each frame is published together with its damage, so a viewer always encodes the very frame its
/// accumulated damage describes; a newer frame's moves could otherwise refer to pixels the viewer
/// was already sent. Frames are copy-on-write values: the source draws into a new copy only while a
/// viewer still holds the old one, and no viewer ever blocks the source.
public final class LiveOutput: @unchecked Sendable {
    public struct Frame: Sendable {
        public var pixels: PixelBuffer
        public var sequence: UInt64
    }


    public let name: String
    private let source: FrameSource
    private let eventLoop: EventLoop
    private let frameInterval: TimeAmount
    private let lock = NIOLock()
    private var current: Frame
    private var subscribers: [ObjectIdentifier: OutputSubscriber] = [:]
    /// The clipboard text a viewer last provided, offered to the output's other viewers.
    private var clipboard: [UInt8] = []
    private var ticker: RepeatedTask?
    private let startTime = NIODeadline.now()

    public init(name: String, source: FrameSource, eventLoop: EventLoop, frameRate: Double) {
        self.name = name
        self.source = source
        self.eventLoop = eventLoop
        frameInterval = .nanoseconds(Int64(1_000_000_000 / max(1, frameRate)))
        current = Frame(pixels: source.frame, sequence: 0)
    }

    /// The latest frame (a copy-on-write value; cheap to take).
    public var frame: Frame { lock.withLock { current } }

    public func start() {
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: frameInterval, delay: frameInterval) { [weak self] _ in
            self?.tick()
        }
    }

    public func stop() { ticker?.cancel(); ticker = nil }

    /// Registers `subscriber` and returns the frame it starts from.
    func subscribe(_ subscriber: OutputSubscriber) -> Frame {
        lock.withLock {
            subscribers[ObjectIdentifier(subscriber)] = subscriber
            return current
        }
    }

    func unsubscribe(_ subscriber: OutputSubscriber) {
        _ = lock.withLock { subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) }
    }

    /// Keyboard input for the source, if it takes input. Runs on the output's event loop, like the
    /// frame clock, so the source is only ever touched from one thread.
    func handleKey(down: Bool, keysym: UInt32) {
        eventLoop.execute { (self.source as? InputReceiving)?.key(down: down, keysym: keysym) }
    }

    func handlePointer(buttonMask: UInt8, x: Int, y: Int) {
        eventLoop.execute { (self.source as? InputReceiving)?.pointer(buttonMask: buttonMask, x: x, y: y) }
    }

    /// A viewer's clipboard text: kept as the output's clipboard and offered to its other viewers.
    func handleClipboard(latin1 text: [UInt8], from sender: OutputSubscriber) {
        let others = lock.withLock { () -> [OutputSubscriber] in
            clipboard = text
            return subscribers.values.filter { $0 !== sender }
        }
        for viewer in others { viewer.eventLoop.execute { viewer.clipboardChanged(latin1: text) } }
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    private func tick() {
        let seconds = Double((NIODeadline.now() - startTime).nanoseconds) / 1e9
        let damage = source.advance(to: seconds)
        guard !damage.isEmpty else { return }
        let (frame, targets) = lock.withLock { () -> (Frame, [OutputSubscriber]) in
            current = Frame(pixels: source.frame, sequence: current.sequence + 1)
            return (current, Array(subscribers.values))
        }
        for subscriber in targets {
            subscriber.eventLoop.execute { subscriber.frameArrived(frame, damage: damage) }
        }
    }
}

/// A consumer of one output's frames (a viewer connection). Its methods are called on its own
/// event loop.
protocol OutputSubscriber: AnyObject, Sendable {
    var eventLoop: EventLoop { get }
    func frameArrived(_ frame: LiveOutput.Frame, damage: FrameDamage)
    func clipboardChanged(latin1 text: [UInt8])
}
