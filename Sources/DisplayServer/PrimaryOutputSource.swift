import Capture
import Display
import Geometry
import Pixels
import Synchronization

/// The one output `porthole serve --device` shows over RFB: the oldest output a producer has
/// created. Until there is one (and again after it is removed, until the next), viewers see a
/// card that says the server waits for a producer and where its socket is.
///
/// It forwards to the `DeviceOutputSource` it follows; switching between the card and an output
/// damages the whole new frame, so viewers get the new picture (and size) at once. It passes on the
/// shown output's signals (`FrameSignalling`) and signals a switch itself.
public final class PrimaryOutputSource: FrameSource, ResizableSource, CursorProviding, CursorPositionProviding, InputReceiving,
                                        ClipboardSharing, FrameSignalling, @unchecked Sendable {
    private struct State {
        /// Outputs in the order they were created; the first is shown.
        var outputs: [(OutputID, DeviceOutputSource)] = []
        var shown: OutputID?
        var switched = false
        var frameReady: (@Sendable () -> Void)?
    }

    private let waitingCard: PixelBuffer
    private let state = Mutex(State())

    /// Follows `server`'s outputs. The card has `waitingCardSize`.
    public init(server: DeviceServer, waitingCardSize: Size) {
        waitingCard = TextCard.render(size: waitingCardSize, lines: [
            "Porthole: waiting for a producer",
            "display device socket: \(server.socketPath)",
            "try: porthole produce --socket \(server.socketPath)",
        ])
        server.observeOutputs { [weak self] event in self?.outputsChanged(event) }
    }

    private func outputsChanged(_ event: DeviceServer.OutputLifecycleEvent) {
        if case .created(let id, let source) = event {
            source.onFrameReady { [weak self] in self?.outputSignalled(id) }
        }
        let signal = state.withLock { state -> (@Sendable () -> Void)? in
            switch event {
            case .created(let id, let source): state.outputs.append((id, source))
            case .removed(let id): state.outputs.removeAll { $0.0 == id }
            }
            let first = state.outputs.first?.0
            guard first != state.shown else { return nil }
            state.shown = first
            state.switched = true
            return state.frameReady
        }
        signal?()
    }

    /// An output has a new frame: passed on when it is the one shown.
    private func outputSignalled(_ id: OutputID) {
        let signal = state.withLock { state in state.shown == id ? state.frameReady : nil }
        signal?()
    }

    public func onFrameReady(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.frameReady = handler } }

    private var current: DeviceOutputSource? {
        state.withLock { state in state.outputs.first?.1 }
    }

    /// The output shown now, nil while the card is.
    public var shownOutput: OutputID? { state.withLock { $0.shown } }

    public var frame: PixelBuffer { current?.frame ?? waitingCard }

    public func advance(to time: Double) -> FrameDamage {
        let switched = state.withLock { state in
            defer { state.switched = false }
            return state.switched
        }
        guard let source = current else {
            return switched ? FrameDamage.full(waitingCard.bounds) : FrameDamage()
        }
        let damage = source.advance(to: time)
        return switched ? FrameDamage.full(source.frame.bounds) : damage
    }

    public var cursor: CursorImage { current?.cursor ?? .arrow }

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
