/// A rate cap that lets a short burst through: events go at most `1/interval` a second on average,
/// and after a pause up to `burst` of them may go back to back.
///
/// Why not a plain minimum spacing: a frame that reaches Porthole in two parts (an X client drawing
/// a scroll as several PutImages, read once the first ones settled; a producer's commit right after
/// a lossless refresh) would have its second part held back a whole interval, 16.7 ms at 60 fps,
/// although the rate over any second stays under the cap if it goes at once. The X11 mirror's
/// scrolling and drag benchmarks showed exactly that as their p99 (docs/benchmarks.md, "A burst of
/// two under the frame cap").
///
/// This is the generic cell rate algorithm (GCRA) in its virtual-scheduling form (ITU-T I.371,
/// also RFC 2697's single-rate token bucket with a bucket of `burst` events): `theoreticalArrival`
/// is when the next event would be due at exactly the sustained rate; an event may go up to
/// `burst - 1` intervals early. Over any span of `t` at most `burst + t / interval` events go.
/// `Time` is any monotonic clock's reading in one unit (seconds as `Double` for the X11 mirror's
/// watcher, nanoseconds as `Int64` for a viewer's updates, so that deadlines stay exact); the type
/// reads no clock itself.
///
/// Its methods are `@inlinable` so that the modules using it compile them for their own `Time`:
/// called across modules as generic code, `earliest(from:)` looked up its type metadata and
/// `Numeric` witnesses at every call (0.8% of the X11 mirror's typing samples, on the watcher's
/// thread, and on every viewer's update).
public struct BurstRateLimit<Time: Numeric & Comparable & Sendable>: Equatable, Sendable {
    /// Time between events at the sustained rate (1/N s for N a second).
    public let interval: Time
    /// How many events may go back to back after a pause (at least 1: 1 is a plain spacing).
    public let burst: Int
    /// When the next event would be due at exactly the sustained rate (nil: none went yet).
    @usableFromInline var theoreticalArrival: Time?

    @inlinable
    public init(interval: Time, burst: Int = 2) {
        self.interval = max(.zero, interval)
        self.burst = max(1, burst)
    }

    /// The earliest time from `now` on at which an event may go.
    @inlinable
    public func earliest(from now: Time) -> Time {
        guard let due = theoreticalArrival else { return now }
        return max(now, due - interval * Time(exactly: burst - 1)!)
    }

    /// Whether an event may go at `now`.
    @inlinable
    public func allows(at now: Time) -> Bool { earliest(from: now) <= now }

    /// An event went at `now` (allowed or not: the caller decides; an early one only pushes the
    /// next ones further out).
    @inlinable
    public mutating func record(at now: Time) {
        theoreticalArrival = max(theoreticalArrival ?? now, now) + interval
    }
}
