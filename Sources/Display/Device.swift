import Geometry

/// The virtual display device (the "remoting KMS"): outputs, planes, framebuffers and the leases
/// that say who owns them. It is a pure state machine: every method takes a request (and the time,
/// where time matters) and returns results and addressed `DisplayEvent`s; the edge does all I/O,
/// maps memory and runs the frame clock that calls `frameTick`.
///
/// Commits follow KMS atomic semantics with mailbox pacing: a commit is validated as a whole
/// against the state it lands on, becomes the output's pending state, and reaches the screen at
/// the output's next frame tick; a newer commit before that tick replaces it.
public struct Device: Sendable {
    public let limits: DeviceLimits
    var leases: [ClientID: Lease] = [:]
    var outputsByID: [OutputID: DisplayOutput] = [:]
    var planesByID: [PlaneID: Plane] = [:]
    /// Planes of each output, primary first.
    var planeIDsByOutput: [OutputID: [PlaneID]] = [:]
    var framebuffersByID: [FramebufferID: Framebuffer] = [:]
    var pendingByOutput: [OutputID: PendingFlip] = [:]
    /// The server's copies of copy-path framebuffers on screen, per plane (docs/protocol.md §11).
    var planeCopies: [PlaneID: PlaneCopy] = [:]
    var nextObjectID: UInt32 = 1
    var nextClientID: UInt32 = 1

    public init(limits: DeviceLimits = DeviceLimits()) { self.limits = limits }

    // MARK: - What a client sees

    /// The outputs `client` may see: a producer its own, a consumer all of them.
    public func outputs(visibleTo client: ClientID) -> [DisplayOutput] {
        outputsByID.values.filter { canSee($0, client) }.sorted { $0.id < $1.id }
    }

    public func output(_ id: OutputID, visibleTo client: ClientID) throws(DisplayError) -> DisplayOutput {
        guard let output = outputsByID[id], canSee(output, client) else { throw .noSuchOutput(id) }
        return output
    }

    /// The planes of an output its owner sees, primary first, with their on-screen state.
    public func planes(on id: OutputID, visibleTo client: ClientID) throws(DisplayError) -> [Plane] {
        let output = try output(id, visibleTo: client)
        guard output.owner == client else { throw .noSuchOutput(id) }
        return (planeIDsByOutput[id] ?? []).compactMap { planesByID[$0] }
    }

    /// The output `plane` is on, when `client` owns that output; nil otherwise. Two lookups, for
    /// every plane of every commit (`planes(on:visibleTo:)` of each output would build arrays).
    public func output(ofPlane plane: PlaneID, ownedBy client: ClientID) -> OutputID? {
        guard let plane = planesByID[plane], let output = outputsByID[plane.output], output.owner == client else { return nil }
        return output.id
    }

    public func framebuffer(_ id: FramebufferID, visibleTo client: ClientID) throws(DisplayError) -> Framebuffer {
        guard let framebuffer = framebuffersByID[id], framebuffer.owner == client else { throw .noSuchFramebuffer(id) }
        return framebuffer
    }

    /// True while `output` has a commit waiting for its frame tick.
    public func hasPendingCommit(_ output: OutputID) -> Bool { pendingByOutput[output] != nil }

    // MARK: - What the server sees

    /// Every output, for the server's frame clocks and consumers.
    public var allOutputs: [DisplayOutput] { outputsByID.values.sorted { $0.id < $1.id } }

    /// The layers of an output's scanout as they are on screen, including planes leased to others
    /// (the scanout is what a writeback connector would give). Empty while the output is disabled.
    public func scanoutLayers(of id: OutputID) -> [ComposerLayer] {
        guard let output = outputsByID[id], output.configuration.enabled else { return [] }
        return (planeIDsByOutput[id] ?? []).compactMap { planeID -> ComposerLayer? in
            guard let plane = planesByID[planeID], let fbID = plane.state.framebuffer else { return nil }
            if let copy = planeCopies[planeID], copy.source == fbID {
                return ComposerLayer(plane: plane.id, type: plane.type, framebuffer: copy.framebuffer, state: plane.state)
            }
            guard let framebuffer = framebuffersByID[fbID] else { return nil }
            return ComposerLayer(plane: plane.id, type: plane.type, framebuffer: framebuffer, state: plane.state)
        }
    }

    // MARK: - Helpers

    func canSee(_ output: DisplayOutput, _ client: ClientID) -> Bool {
        guard let lease = leases[client], lease.connected else { return false }
        return lease.role == .consumer || output.owner == client
    }

    func connectedProducer(_ client: ClientID) throws(DisplayError) -> Lease {
        guard let lease = leases[client], lease.connected else { throw .noSuchClient(client) }
        guard lease.role == .producer else { throw .notAProducer(client) }
        return lease
    }

    /// Connected consumers, who hear about hotplug and output changes.
    var consumers: [ClientID] {
        leases.values.filter { $0.connected && $0.role == .consumer }.map(\.client).sorted()
    }

    func isConnected(_ client: ClientID) -> Bool { leases[client]?.connected == true }

    mutating func allocateObjectID() -> UInt32 {
        defer { nextObjectID &+= 1 }
        return nextObjectID
    }

    /// Framebuffers whose memory the server may still read: the ones not yet released. Those are
    /// zero-copy framebuffers on a plane on screen or in a pending commit, and copy-path ones that
    /// a pending commit will copy at its tick (docs/protocol.md §11); a copy-path framebuffer on
    /// screen is read from its copy.
    func referencedFramebuffers() -> Set<FramebufferID> {
        var ids = Set<FramebufferID>()
        for plane in planesByID.values {
            if let fb = plane.state.framebuffer, framebuffersByID[fb]?.path != .copy { ids.insert(fb) }
        }
        for pending in pendingByOutput.values {
            for (plane, state) in pending.planes {
                guard let fb = state.framebuffer else { continue }
                if framebuffersByID[fb]?.path != .copy || willCopy(plane, state: state, damage: pending.damage[plane]) { ids.insert(fb) }
            }
        }
        return ids
    }

    /// Whether a Release for `id`, owed to `owner`, may go out now: the owner is connected, and no
    /// plane shows the framebuffer nor pending commit names it. A Release held back while the
    /// framebuffer was lent (`LentFramebufferHolds`) is sent only then, also when the producer
    /// destroyed the framebuffer meanwhile (docs/protocol.md §5.7: a Release follows once the
    /// server no longer reads it; ids are never reused).
    public func isReleasable(_ id: FramebufferID, owedTo owner: ClientID) -> Bool {
        guard isConnected(owner) else { return false }
        guard framebuffersByID[id] != nil else { return true }
        return !referencedFramebuffers().contains(id)
    }

    /// Release events for framebuffers referenced before a change and not after it.
    func releases(before: Set<FramebufferID>, after: Set<FramebufferID>) -> [DisplayEvent] {
        before.subtracting(after).sorted().compactMap { id in
            guard let owner = framebuffersByID[id]?.owner, isConnected(owner) else { return nil }
            return .release(to: owner, framebuffer: id)
        }
    }
}
