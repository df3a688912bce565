import Display
import Geometry
import Synchronization

/// Every device output as its own `FrameSource`, for `porthole serve --device --output-ports`:
/// slot i (see `OutputSlotTable`) is one `ShownOutputSource` that the caller serves on the listen
/// port + i. A slot whose output is removed shows the waiting card until a new output takes it,
/// the same rules `PrimaryOutputSource` applies to the one port.
public final class OutputSlotSources: @unchecked Sendable {
    /// A slot that got an output, for the caller to open a listener (when `isNewSlot`) and log.
    public struct Assignment: Sendable {
        public let slot: Int
        public let isNewSlot: Bool
        public let outputName: String
        public let source: ShownOutputSource
    }

    private struct State {
        var table = OutputSlotTable()
        var sources: [ShownOutputSource]
    }

    private let state: Mutex<State>
    private let makeSource: @Sendable (Int) -> ShownOutputSource

    /// The source for slot 0 (the listen port), which exists before any output does.
    public let first: ShownOutputSource

    /// Follows `server`'s outputs; `onAssignment` is called on the device's thread, in order, each
    /// time an output takes a slot. Cards have `waitingCardSize`.
    public init(server: DeviceServer, waitingCardSize: Size, onAssignment: @escaping @Sendable (Assignment) -> Void) {
        let socketPath = server.socketPath
        makeSource = { slot in
            ShownOutputSource(waitingCard: ShownOutputSource.waitingCard(size: waitingCardSize, socketPath: socketPath,
                                                                         extraLine: "output slot \(slot)"))
        }
        first = makeSource(0)
        state = Mutex(State(sources: [first]))
        server.observeOutputs { [weak self] event in self?.outputsChanged(event, onAssignment: onAssignment) }
    }

    private func outputsChanged(_ event: DeviceServer.OutputLifecycleEvent, onAssignment: @Sendable (Assignment) -> Void) {
        switch event {
        case .created(let id, let output):
            let assignment: Assignment? = state.withLock { state in
                guard case .assigned(_, let slot, let isNewSlot) = state.table.created(id) else { return nil }
                if isNewSlot { state.sources.append(makeSource(slot)) }
                let source = state.sources[slot]
                source.show(output)
                return Assignment(slot: slot, isNewSlot: isNewSlot, outputName: output.outputName, source: source)
            }
            if let assignment { onAssignment(assignment) }
        case .removed(let id):
            state.withLock { state in
                if case .emptied(let slot) = state.table.removed(id) { state.sources[slot].show(nil) }
            }
        }
    }

    /// The source of each slot opened so far.
    public var sources: [ShownOutputSource] { state.withLock { $0.sources } }
}
