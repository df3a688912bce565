import Capture
import Display
import Geometry
import Pixels
import Synchronization

/// A `FrameSource` that shows one device output, chosen by its owner with `show(_:)`, or a card
/// while there is none. `PrimaryOutputSource` shows the oldest output; `OutputSlotSources` gives
/// each output its own (one per RFB port with `porthole serve --device --output-ports`).
///
/// It forwards to the `DeviceOutputSource` shown; switching between the card and an output
/// damages the whole new frame, so viewers get the new picture (and size) at once. It passes on the
/// shown output's signals (`FrameSignalling`) and signals a switch itself.
public class ShownOutputSource: FrameSource, ResizableSource, CursorProviding, CursorPositionProviding, InputReceiving,
                                ClipboardSharing, FrameSignalling, NameProviding, @unchecked Sendable {
    private struct State {
        var shown: DeviceOutputSource?
        var switched = false
        var frameReady: (@Sendable () -> Void)?
    }

    private let waitingCard: PixelBuffer
    private let state = Mutex(State())

    /// Shows `waitingCard` until `show(_:)` is given an output.
    init(waitingCard: PixelBuffer) {
        self.waitingCard = waitingCard
    }

    /// The card viewers see while no output is shown: says the server waits for a producer and
    /// where its socket is.
    static func waitingCard(size: Size, socketPath: String, extraLine: String? = nil) -> PixelBuffer {
        TextCard.render(size: size, lines: ["Porthole: waiting for a producer",
                                            "display device socket: \(socketPath)",
                                            "try: porthole produce --socket \(socketPath)"] + (extraLine.map { [$0] } ?? []))
    }

    /// Shows `output` from the next `advance` on (nil: the card). Showing what is shown already
    /// changes nothing.
    func show(_ output: DeviceOutputSource?) {
        output?.onFrameReady { [weak self, weak output] in
            guard let self, let output else { return }
            self.outputSignalled(output)
        }
        let signal = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.shown !== output else { return nil }
            state.shown = output
            state.switched = true
            return state.frameReady
        }
        signal?()
    }

    /// An output has a new frame: passed on when it is the one shown.
    private func outputSignalled(_ output: DeviceOutputSource) {
        let signal = state.withLock { state in state.shown === output ? state.frameReady : nil }
        signal?()
    }

    public func onFrameReady(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.frameReady = handler } }

    /// Signals come from the device's thread (a composed frame, a switch of output), which may
    /// advance this source and publish the frame itself: one hand-off less per frame.
    public var advancesWhereSignalled: Bool { true }

    private var current: DeviceOutputSource? { state.withLock { $0.shown } }

    /// The output shown now, nil while the card is.
    public var shownOutput: OutputID? { current?.outputID }

    public var frame: PixelBuffer { current?.frame ?? waitingCard }

    public func advance(to time: Double) -> FrameDamage {
        let (source, switched) = state.withLock { state in
            defer { state.switched = false }
            return (state.shown, state.switched)
        }
        guard let source else {
            return switched ? FrameDamage.full(waitingCard.bounds) : FrameDamage()
        }
        let damage = source.advance(to: time)
        return switched ? FrameDamage.full(source.frame.bounds) : damage
    }

    public var cursor: CursorImage { current?.cursor ?? .arrow }

    /// The shown output's name, which its producer chose; nil on the card.
    public var desktopName: String? { current?.outputName }

    /// The shown output's cursor plane position, when it moved.
    public func takeCursorPositionChange() -> Point? { current?.takeCursorPositionChange() }

    public func key(down: Bool, keysym: UInt32) { current?.key(down: down, keysym: keysym) }

    public func pointer(buttonMask: UInt16, x: Int, y: Int) { current?.pointer(buttonMask: buttonMask, x: x, y: y) }

    /// The shown output's producer clipboard (docs/protocol.md §5.10); the card has none.
    public func takeClipboardChange() -> String? { current?.takeClipboardChange() }

    /// To the shown output's producer as ClipboardText (§7.14); dropped while the card shows.
    public func setClipboard(_ text: String) { current?.setClipboard(text) }

    public var resizableRange: ClosedRange<Int> { 1...DeviceLimits().maximumSize }

    /// Passed to the shown output's producer as a LayoutRequest; the card keeps its size.
    public func resize(to size: Size) -> FrameDamage { current?.resize(to: size) ?? FrameDamage() }
}
