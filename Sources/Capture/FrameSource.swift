import Display
import Geometry
import Pixels

/// A built-in producer of frames for one output: the demo desktop, a still image, and later the X11
/// mirror and replays. The server calls `advance(to:)` on its frame clock; the source draws and
/// reports what changed. Sources hold no clocks or threads of their own, so they are driven the
/// same way in tests.
public protocol FrameSource: AnyObject {
    /// The current picture. Its size is the output's size.
    var frame: PixelBuffer { get }
    /// Draws the picture for `time` (seconds since the source started) and returns what changed
    /// since the previous call (empty when nothing did).
    func advance(to time: Double) -> FrameDamage
}
