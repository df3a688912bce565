import Display
import Geometry

extension DemoDesktop: ResizableSource {
    /// From a small window to a large monitor; the layout is tested down to 1x1, and 8192 keeps one
    /// frame at 256 MiB.
    public var resizableRange: ClosedRange<Int> { 64...8192 }
}
