import Dispatch
import Display
import Geometry

/// One output's scanout machinery on the server's queue: its frame clock, the composer that keeps
/// its picture, and the frame source RFB viewers read it from.
final class OutputPipeline {
    let id: OutputID
    var composer = Composer()
    let source: DeviceOutputSource
    var timer: DispatchSourceTimer?
    /// The refresh rate the clock runs at, after clamping.
    var clockMillihertz = 0
    /// Whether a commit flips at once or at the next tick (docs/protocol.md §12).
    var pacer = FlipPacer(intervalNanoseconds: 0)
    /// When the clock's next regular tick is due, to tell a late tick from one on time.
    var nextTick = DispatchTime.now()
    /// Late and empty ticks and whole copies, logged once a minute when there were any.
    var statistics = FrameClockStatistics()

    init(id: OutputID, name: String, size: Size, server: DeviceServer) {
        self.id = id
        source = DeviceOutputSource(outputID: id, name: name, size: size) { [weak server] request in server?.viewerRequest(request, for: id) }
    }

    func stopClock() {
        timer?.cancel()
        timer = nil
        source.markRemoved()
    }
}
