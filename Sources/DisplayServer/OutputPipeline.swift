import Display
import Geometry
import SystemIO

/// One output's scanout machinery on the server's thread: its frame clock, the composer that keeps
/// its picture, and the frame source RFB viewers read it from.
final class OutputPipeline {
    let id: OutputID
    var composer = Composer()
    let source: DeviceOutputSource
    /// The frame clock's one-shot timer, armed only while a commit waits for a tick (§12); nil
    /// once the clock stopped for good.
    var timer: EventTimer?
    /// The refresh rate the clock runs at, after clamping.
    var clockMillihertz = 0
    /// Whether a commit flips at once or at the next tick (docs/protocol.md §12).
    var pacer = FlipPacer(intervalNanoseconds: 0)
    /// Late and empty ticks and whole copies, logged once a minute when there were any.
    var statistics = FrameClockStatistics()
    /// Where the vblanks of a clock that never slept would fall: the sequence is caught up from it.
    var grid = VblankGrid(intervalNanoseconds: 1, epochNanoseconds: 0, sequence: 0)
    /// The vblank (CLOCK_MONOTONIC ns) the timer is armed for; nil while the clock sleeps.
    var armedVblank: UInt64?
    /// Completing the composer's ring of pictures is queued on the thread (`prepareSparesSoon`).
    var sparesQueued = false
    /// Timer ticks run so far, so tests can tell that a sleeping clock does not wake.
    var timerTicks = 0

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
