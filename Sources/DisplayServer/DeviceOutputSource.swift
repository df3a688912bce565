import Capture
import Display
import Geometry
import Pixels
import Synchronization

/// One device output as a `FrameSource`, so the RFB server (`LiveOutput` and its viewer
/// connections) serves it unchanged: `frame` is the composed scanout, `advance(to:)` the damage the
/// composer reported since the previous call.
///
/// The device's thread delivers each composed frame; the RFB side reads on its own event loop. The
/// frame handed out is the one taken at the last `advance`, so a frame and the damage returned
/// with it always agree. Damage is merged, never queued: the moves of a frame the RFB side had not
/// taken when the next one came become pixels, past `maximumDamageRects` rects the region becomes
/// its bounding box, and a change of size makes it the whole new frame.
///
/// Viewers' input goes to the output's producer (KeyEvent, PointerEvent, docs/protocol.md §7.12,
/// §7.13). A viewer's resize (SetDesktopSize) does not resize anything here: it becomes a
/// LayoutRequest to the producer (§7.11), which may commit at the new size; the frame changes size
/// when that commit reaches the screen.
///
/// It signals (`FrameSignalling`) as soon as a commit reached the screen and was composed, and when
/// the producer's clipboard changed, so the RFB server publishes without waiting for its poll.
///
/// The clipboard goes both ways (`ClipboardSharing`): text the producer sets with SetClipboardText
/// (§5.10) reaches the output's viewers, and a viewer's clipboard reaches the producer as
/// ClipboardText (§7.14).
public final class DeviceOutputSource: FrameSource, ResizableSource, CursorProviding, CursorPositionProviding, InputReceiving,
                                       ClipboardSharing, FrameSignalling, @unchecked Sendable {
    public static let maximumDamageRects = 64

    private struct State {
        var latest: PixelBuffer
        var published: PixelBuffer
        /// What changed since the frame `advance` last published, moves included.
        var damage = FrameDamage()
        var cursor: CursorImage?
        /// The cursor plane's hotspot on the output, and whether viewers have not been told yet.
        var cursorPosition: Point?
        var cursorMoved = false
        var removed = false
        var clipboardChange: String?
        var frameReady: (@Sendable () -> Void)?
    }

    public let outputID: OutputID
    /// The name its producer gave it in CreateOutput (docs/protocol.md §5.2), for log lines.
    public let outputName: String
    private let state: Mutex<State>
    private let onRequest: @Sendable (DeviceServer.ViewerRequest) -> Void

    /// A source showing black at `size` until the first frame arrives.
    init(outputID: OutputID, name: String, size: Size, onRequest: @escaping @Sendable (DeviceServer.ViewerRequest) -> Void) {
        self.outputID = outputID
        outputName = name
        self.onRequest = onRequest
        let black = PixelBuffer(width: size.width, height: size.height)
        state = Mutex(State(latest: black, published: black))
    }

    // MARK: FrameSource

    public var frame: PixelBuffer { state.withLock { $0.published } }

    public func advance(to time: Double) -> FrameDamage {
        state.withLock { state in
            let resized = state.latest.size != state.published.size
            state.published = state.latest
            let damage = resized ? FrameDamage.full(state.latest.bounds) : state.damage
            state.damage = FrameDamage()
            return damage
        }
    }

    /// The newest composed frame, which `frame` shows after the next `advance`.
    public var latestFrame: PixelBuffer { state.withLock { $0.latest } }

    /// True once the output is gone; the last frame stays.
    public var isRemoved: Bool { state.withLock { $0.removed } }

    /// A frame composed at a tick (on the device's thread); the RFB side hears of it at once.
    func deliver(scanout: PixelBuffer, damage: FrameDamage, cursor: ExportedCursor?) {
        let signal = state.withLock { state in
            state.latest = scanout
            state.damage = state.damage.followed(by: damage)
            if state.damage.region.rects.count > Self.maximumDamageRects { state.damage.region = Region(state.damage.region.bounds) }
            state.cursor = cursor?.image
            if let position = cursor?.position, position != state.cursorPosition {
                state.cursorPosition = position
                state.cursorMoved = true
            }
            return state.frameReady
        }
        signal?()
    }

    // MARK: FrameSignalling

    public func onFrameReady(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.frameReady = handler } }

    /// Signals come from the device's thread right after it composed, which may advance this
    /// source and publish the frame itself: one hand-off less per frame.
    public var advancesWhereSignalled: Bool { true }

    func markRemoved() { state.withLock { $0.removed = true } }

    // MARK: CursorProviding

    /// The cursor plane's image, or the default arrow while the producer shows none.
    public var cursor: CursorImage { state.withLock { $0.cursor } ?? .arrow }

    // MARK: CursorPositionProviding

    /// The cursor plane's new position (its destination's top-left plus the hotspot), once per
    /// move: a producer that moves its cursor plane moves the viewers' pointer.
    public func takeCursorPositionChange() -> Point? {
        state.withLock { state in
            guard state.cursorMoved else { return nil }
            state.cursorMoved = false
            return state.cursorPosition
        }
    }

    // MARK: InputReceiving

    public func key(down: Bool, keysym: UInt32) { onRequest(.key(down: down, keysym: keysym)) }

    public func pointer(buttonMask: UInt16, x: Int, y: Int) { onRequest(.pointer(buttonMask: buttonMask, x: x, y: y)) }

    // MARK: ClipboardSharing

    /// The producer's clipboard changed (on the device's thread); the newest text wins.
    func producerClipboardChanged(_ text: String) {
        let signal = state.withLock { state in
            state.clipboardChange = text
            return state.frameReady
        }
        signal?()
    }

    public func takeClipboardChange() -> String? {
        state.withLock { state in
            defer { state.clipboardChange = nil }
            return state.clipboardChange
        }
    }

    /// A viewer's clipboard, on its way to the producer as ClipboardText (§7.14).
    public func setClipboard(_ text: String) { onRequest(.clipboard(text)) }

    // MARK: ResizableSource

    public var resizableRange: ClosedRange<Int> { 1...DeviceLimits().maximumSize }

    /// Asks the producer for `size` (a LayoutRequest) and changes nothing now.
    public func resize(to size: Size) -> FrameDamage {
        onRequest(.layout(size))
        return FrameDamage()
    }
}
