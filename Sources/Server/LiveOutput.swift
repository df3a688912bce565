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

    /// A subscriber's callback; it is run on the subscriber's own event loop.
    public typealias Subscriber = @Sendable (Frame, FrameDamage) -> Void

    public let name: String
    private let source: FrameSource
    private let eventLoop: EventLoop
    private let frameInterval: TimeAmount
    private let lock = NIOLock()
    private var current: Frame
    private var subscribers: [ObjectIdentifier: (EventLoop, Subscriber)] = [:]
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
    public func subscribe(_ token: AnyObject, on loop: EventLoop, _ subscriber: @escaping Subscriber) -> Frame {
        lock.withLock {
            subscribers[ObjectIdentifier(token)] = (loop, subscriber)
            return current
        }
    }

    public func unsubscribe(_ token: AnyObject) {
        _ = lock.withLock { subscribers.removeValue(forKey: ObjectIdentifier(token)) }
    }

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    private func tick() {
        let seconds = Double((NIODeadline.now() - startTime).nanoseconds) / 1e9
        let damage = source.advance(to: seconds)
        guard !damage.isEmpty else { return }
        let (frame, targets) = lock.withLock { () -> (Frame, [(EventLoop, Subscriber)]) in
            current = Frame(pixels: source.frame, sequence: current.sequence + 1)
            return (current, Array(subscribers.values))
        }
        for (loop, subscriber) in targets {
            loop.execute { subscriber(frame, damage) }
        }
    }
}
