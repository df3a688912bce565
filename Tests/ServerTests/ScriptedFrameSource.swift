import Capture
import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport

/// A frame source the test drives by hand: `change` draws into the picture and says what changed,
/// and the server sees that at its next frame tick, exactly as it would see a real source's work.
///
/// Changes made between two ticks are merged into one frame. The picture the server reads is the
/// one published at the last tick, not the one being drawn, so a frame and the damage reported with
/// it always agree (otherwise a move drawn a moment after a tick would show up in that tick's frame
/// and be applied twice by a viewer). It also records the input the server forwards to it.
final class ScriptedFrameSource: FrameSource, InputReceiving, ResizableSource, @unchecked Sendable {
    struct KeyEvent: Equatable { var down: Bool; var keysym: UInt32 }
    struct PointerEvent: Equatable { var buttonMask: UInt16; var x: Int; var y: Int }

    private let lock = NSLock()
    private var drawing: PixelBuffer
    private var published: PixelBuffer
    private var unpublished = FrameDamage()
    private var recordedKeys: [KeyEvent] = []
    private var recordedPointers: [PointerEvent] = []
    private var ticks = 0
    /// Runs at every tick before the changes are published (a source that animates by itself).
    private let animation: (@Sendable (inout PixelBuffer, Int) -> FrameDamage)?
    /// Whether the server may advance the source on the thread that signals
    /// (`FrameSignalling.advancesWhereSignalled`), as the display device's outputs allow.
    let advancesOnSignallingThread: Bool
    /// The thread (pthread_self) of every advance, in order.
    private var advancingThreads: [UInt] = []
    /// What `FrameSignalling.pollsItself` answers (a test sets it).
    private var selfPolling = false

    init(_ picture: PixelBuffer, advancesOnSignallingThread: Bool = false,
         animation: (@Sendable (inout PixelBuffer, Int) -> FrameDamage)? = nil) {
        drawing = picture
        published = picture
        self.advancesOnSignallingThread = advancesOnSignallingThread
        self.animation = animation
    }

    /// How many times the server advanced the source.
    var advanceCount: Int { lock.withLock { ticks } }

    /// Whether the source claims to poll itself (`FrameSignalling.pollsItself`).
    var pollsItself: Bool {
        get { lock.withLock { selfPolling } }
        set { lock.withLock { selfPolling = newValue } }
    }

    /// The threads the server advanced the source on, in order.
    var advanceThreads: [UInt] { lock.withLock { advancingThreads } }

    /// The picture as of the last tick (what the server shows).
    var frame: PixelBuffer { lock.withLock { published } }

    /// The picture including changes the server has not picked up yet (what viewers will show).
    var latest: PixelBuffer { lock.withLock { drawing } }

    func advance(to time: Double) -> FrameDamage {
        lock.withLock {
            ticks += 1
            advancingThreads.append(UInt(pthread_self()))
            if let animation {
                let damage = animation(&drawing, ticks)
                unpublished.moves += damage.moves
                unpublished.region.formUnion(damage.region)
            }
            published = drawing
            defer { unpublished = FrameDamage() }
            return unpublished
        }
    }

    /// Draws with `draw`, which returns what it changed (moves first, then damaged pixels).
    func change(_ draw: (inout PixelBuffer) -> FrameDamage) {
        lock.withLock {
            let damage = draw(&drawing)
            if !damage.moves.isEmpty && !unpublished.region.isEmpty {
                // A move after damage in the same frame would reorder them; FrameDamage lists
                // moves first, so the earlier damage is published as it stands now instead.
                unpublished.region.formUnion(Region(rects: damage.moves.map(\.destination)).union(damage.region))
            } else {
                unpublished.moves += damage.moves
                unpublished.region.formUnion(damage.region)
            }
        }
    }

    /// Fills `rect` with `colour` and reports it as damage.
    func fill(_ rect: Rect, with colour: UInt32) {
        change { picture in
            picture.fill(rect, with: colour)
            return FrameDamage(region: Region(rect))
        }
    }

    /// Waits until the server has picked up every change made so far (at most `timeout` seconds).
    func waitUntilPublished(timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) { self.lock.withLock { self.unpublished.isEmpty } }
    }

    /// Sizes a viewer may ask for with SetDesktopSize.
    let resizableRange: ClosedRange<Int> = 16...4096

    /// Lays the picture out anew at `size` (a fresh test desktop), the way the demo desktop does.
    /// The server publishes the result at once, so the drawn and the published picture both change.
    func resize(to size: Size) -> FrameDamage {
        lock.withLock {
            drawing = TestImages.desktop(width: size.width, height: size.height, seed: UInt64(size.width * 65536 + size.height))
            published = drawing
            unpublished = FrameDamage()
            return FrameDamage(region: Region(drawing.bounds))
        }
    }

    var keys: [KeyEvent] { lock.withLock { recordedKeys } }
    var pointers: [PointerEvent] { lock.withLock { recordedPointers } }

    func key(down: Bool, keysym: UInt32) { lock.withLock { recordedKeys.append(KeyEvent(down: down, keysym: keysym)) } }

    func pointer(buttonMask: UInt16, x: Int, y: Int) {
        lock.withLock { recordedPointers.append(PointerEvent(buttonMask: buttonMask, x: x, y: y)) }
    }
}
