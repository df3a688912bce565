import Display
import DisplayProtocol
import Geometry

extension AtomicCommit {
    /// The model's commit for a wire Commit (docs/protocol.md §5.8).
    ///
    /// - A plane state with framebuffer 0 turns the plane off.
    /// - No damage rects means the whole plane changed (the model's `nil`).
    /// - Damage is clipped to the framebuffer ("Damage outside the framebuffer is clipped to
    ///   it"); a rect left empty is dropped, and a plane whose rects all fell outside reports no
    ///   pixel damage. Unknown framebuffers are left to the device, which reports them.
    /// - Moves (version 1.2) become the model's `CopyMove`s as they are, never clipped: a move
    ///   clipped on one side would no longer say where its pixels came from, so one that leaves
    ///   the framebuffer is the validator's to reject (code 4), as §5.8 asks.
    /// - `activeByOutput` is the protocol's view of each output's active state, which starts on
    ///   (§5.2) while the model's outputs start disabled: an output this commit touches without
    ///   an active bit keeps the protocol's state.
    /// - The request id is the page flip's user data, echoed as "commit request id" (§7.9).
    init(wire request: CommitRequest, requestID: UInt32, device: Device, client: ClientID,
         activeByOutput: [OutputID: Bool]) {
        var outputs: [AtomicCommit.OutputUpdate] = []
        var mentioned = Set<OutputID>()
        for state in request.outputs {
            let id = OutputID(state.outputID)
            mentioned.insert(id)
            var update = AtomicCommit.OutputUpdate(output: id)
            update.enabled = state.changes.contains(.active) ? state.active : activeByOutput[id]
            if state.changes.contains(.mode) {
                update.mode = DisplayMode(width: Int(state.mode.width), height: Int(state.mode.height),
                                          refreshMillihertz: Int(state.mode.refreshMillihertz))
            }
            if state.changes.contains(.position) { update.position = Point(x: Int(state.x), y: Int(state.y)) }
            outputs.append(update)
        }
        var planes: [AtomicCommit.PlaneUpdate] = []
        for state in request.planes {
            let planeID = PlaneID(state.planeID)
            let framebufferID = state.framebufferID == 0 ? nil : FramebufferID(state.framebufferID)
            let planeState = PlaneState(
                framebuffer: framebufferID,
                source: SourceRect(fixedX: Int(state.source.x), y: Int(state.source.y),
                                   width: Int(state.source.width), height: Int(state.source.height)),
                destination: Rect(x: Int(state.destination.x), y: Int(state.destination.y),
                                  width: Int(state.destination.width), height: Int(state.destination.height)),
                zPosition: Int(state.zpos), alpha: state.alpha)
            var damage: [Rect]? = nil
            if !state.damage.isEmpty {
                let rects = state.damage.map { Rect(x: Int($0.x), y: Int($0.y), width: Int($0.width), height: Int($0.height)) }
                if let framebufferID, let framebuffer = try? device.framebuffer(framebufferID, visibleTo: client) {
                    let bounds = framebuffer.descriptor.bounds
                    damage = rects.map { $0.intersection(bounds) }.filter { !$0.isEmpty }
                } else {
                    damage = rects
                }
            }
            let moves = state.moves.map { move in
                CopyMove(destination: Rect(x: Int(move.destination.x), y: Int(move.destination.y),
                                           width: Int(move.destination.width), height: Int(move.destination.height)),
                         source: Point(x: Int(move.sourceX), y: Int(move.sourceY)))
            }
            planes.append(AtomicCommit.PlaneUpdate(plane: planeID, state: planeState, damage: damage, moves: moves))
            // A plane on an output the commit names no state for: keep the protocol's active state.
            if let output = device.output(ofPlane: planeID, ownedBy: client), !mentioned.contains(output) {
                mentioned.insert(output)
                outputs.append(AtomicCommit.OutputUpdate(output: output, enabled: activeByOutput[output]))
            }
        }
        self.init(planes: planes, outputs: outputs, testOnly: request.flags.contains(.testOnly),
                  pageFlipEvent: request.flags.contains(.pageFlipEvent), userData: UInt64(requestID))
    }
}
