import Display
import Geometry
import Synchronization

/// The one output `porthole serve --device` shows over RFB (without `--output-ports`): the oldest
/// output a producer has created. Until there is one (and again after it is removed, until the
/// next), viewers see a card that says the server waits for a producer and where its socket is.
public final class PrimaryOutputSource: ShownOutputSource, @unchecked Sendable {
    /// Outputs in the order they were created; the first is shown.
    private let outputs = Mutex<[DeviceOutputSource]>([])

    /// Follows `server`'s outputs. The card has `waitingCardSize`.
    public init(server: DeviceServer, waitingCardSize: Size) {
        super.init(waitingCard: Self.waitingCard(size: waitingCardSize, socketPath: server.socketPath))
        server.observeOutputs { [weak self] event in self?.outputsChanged(event) }
    }

    private func outputsChanged(_ event: DeviceServer.OutputLifecycleEvent) {
        let first = outputs.withLock { outputs in
            switch event {
            case .created(_, let source): outputs.append(source)
            case .removed(let id): outputs.removeAll { $0.outputID == id }
            }
            return outputs.first
        }
        show(first)
    }
}
