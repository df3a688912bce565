import Geometry

/// What a measuring viewer (peers-bench, slow-link-bench) knows of the feeder's stamped frames
/// (each frame carries its number in the pixels at 8,8): the measurement starts with the first
/// whole picture whose stamp is 0, and from then on an update showing a newer stamp is that frame
/// seen, at that moment. Older or repeated stamps (a frame merged into a later update) are not.
public struct StampedFrameTracker {
    public enum Event: Equatable { case none, started, frame(Int) }

    public private(set) var started = false
    /// When each frame was first seen, by stamp.
    public private(set) var seen: [Int: Double] = [:]
    public private(set) var lastSeen = 0
    /// Before the start: the area the updates have covered so far.
    private var received = Region()

    public init() {}

    /// One update: its region, the picture's bounds, the picture's stamp after it (-1 when it
    /// has none or is not the workload's screen yet) and the time it arrived.
    public mutating func update(_ region: Region, bounds: Rect, stamp: Int, at time: Double) -> Event {
        guard started else {
            received.formUnion(region)
            guard received.contains(bounds), stamp == 0 else { return .none }
            started = true
            return .started
        }
        guard stamp > lastSeen else { return .none }
        lastSeen = stamp
        seen[stamp] = time
        return .frame(stamp)
    }

    /// The picture was resized (a server shows a waiting card first): before the start, the new
    /// picture must be covered anew.
    public mutating func resized() { received = Region() }
}
