import Capture
import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport

/// A resizable source that does not resize itself but passes the request on, as a display-device
/// output asks its producer with a LayoutRequest (docs/protocol.md): `resize(to:)` only records the
/// size, and the picture changes when the test plays the producer and calls `apply()`.
final class ForwardingResizeSource: FrameSource, ResizableSource, @unchecked Sendable {
    private let lock = NSLock()
    private var picture: PixelBuffer
    private var pendingDamage = FrameDamage()
    private var requested: [Size] = []

    init(_ picture: PixelBuffer) { self.picture = picture }

    var frame: PixelBuffer { lock.withLock { picture } }

    func advance(to time: Double) -> FrameDamage {
        lock.withLock {
            defer { pendingDamage = FrameDamage() }
            return pendingDamage
        }
    }

    let resizableRange: ClosedRange<Int> = 16...4096

    /// Records the request and changes nothing now.
    func resize(to size: Size) -> FrameDamage {
        lock.withLock { requested.append(size) }
        return FrameDamage()
    }

    /// The sizes asked for so far, in order.
    var requests: [Size] { lock.withLock { requested } }

    /// The "producer" takes the last request: a new picture of that size, published at the next tick.
    func apply() {
        lock.withLock {
            guard let size = requested.last else { return }
            picture = TestImages.desktop(width: size.width, height: size.height, seed: 7)
            pendingDamage = FrameDamage(region: Region(picture.bounds))
        }
    }
}
