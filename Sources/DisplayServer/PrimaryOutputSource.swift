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
/// damages the whole new frame, so viewers get the new picture (and size) at once.
public final class PrimaryOutputSource: FrameSource, ResizableSource, CursorProviding, InputReceiving, @unchecked Sendable {
    private struct State {
        /// Outputs in the order they were created; the first is shown.
        var outputs: [(OutputID, DeviceOutputSource)] = []
        var shown: OutputID?
        var switched = false
    }

    private let placeholder: PixelBuffer
    private let state = Mutex(State())

    /// Follows `server`'s outputs. The card has `placeholderSize`.
    public init(server: DeviceServer, placeholderSize: Size) {
        placeholder = TextCard.render(size: placeholderSize, lines: [
            "Porthole: waiting for a producer",
            "display device socket: \(server.socketPath)",
            "try: porthole produce --socket \(server.socketPath)",
        ])
        server.observeOutputs { [weak self] event in self?.outputsChanged(event) }
    }

    private func outputsChanged(_ event: DeviceServer.OutputLifecycleEvent) {
        state.withLock { state in
            switch event {
            case .created(let id, let source): state.outputs.append((id, source))
            case .removed(let id): state.outputs.removeAll { $0.0 == id }
            }
            let first = state.outputs.first?.0
            if first != state.shown {
                state.shown = first
                state.switched = true
            }
        }
    }

    private var current: DeviceOutputSource? {
        state.withLock { state in state.outputs.first?.1 }
    }

    /// The output shown now, nil while the card is.
    public var shownOutput: OutputID? { state.withLock { $0.shown } }

    public var frame: PixelBuffer { current?.frame ?? placeholder }

    public func advance(to time: Double) -> FrameDamage {
        let switched = state.withLock { state in
            defer { state.switched = false }
            return state.switched
        }
        guard let source = current else {
            return switched ? FrameDamage.full(placeholder.bounds) : FrameDamage()
        }
        let damage = source.advance(to: time)
        return switched ? FrameDamage.full(source.frame.bounds) : damage
    }

    public var cursor: CursorImage { current?.cursor ?? .arrow }

    /// Producers send a cursor image but not where their pointer is: the pointer is where viewers
    /// put it.
    public var cursorPosition: Point? { nil }

    public func key(down: Bool, keysym: UInt32) { current?.key(down: down, keysym: keysym) }

    public func pointer(buttonMask: UInt16, x: Int, y: Int) { current?.pointer(buttonMask: buttonMask, x: x, y: y) }

    public var resizableRange: ClosedRange<Int> { 1...DeviceLimits().maximumSize }

    /// Passed to the shown output's producer as a LayoutRequest; the card keeps its size.
    public func resize(to size: Size) -> FrameDamage { current?.resize(to: size) ?? FrameDamage() }
}
