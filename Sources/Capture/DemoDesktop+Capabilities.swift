import Display
import Geometry

extension DemoDesktop: ResizableSource {
    /// From a small window to a large monitor; the layout is tested down to 1x1, and 8192 keeps one
    /// frame at 256 MiB.
    public var resizableRange: ClosedRange<Int> { 64...8192 }
}

extension DemoDesktop: BellRinging {
    /// The terminal rings the bell when its long command (`swift build`) has finished, once per
    /// pass of its session, so viewers of the demo get RFB Bell (RFC 6143 §7.6.3) now and then.
    public func takeBell() -> Bool {
        defer { bellsRung = 0 }
        return bellsRung > 0
    }
}

/// Everything is a function of the time passed in, and the damage is the difference of two
/// states, so an advance may jump any distance.
extension DemoDesktop: PausesWhileUnwatched {}
