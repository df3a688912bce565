import Geometry

/// Checks an atomic commit as a whole against the state it would land on and builds the
/// resulting pending state of each output it touches. Nothing is changed on failure or for a
/// test-only commit: the device only stores what this returns.
///
/// The checks, in order: the client is a producer; each output and plane appears once and is the
/// client's; modes and positions are in range; each plane's framebuffer is the client's, its
/// source rect is non-empty and inside the framebuffer, its destination non-empty and within the
/// coordinate limit (a cursor within the cursor size), its z-position in 0...255, its damage
/// rects inside the framebuffer (more than the limit become full damage, unchecked) and its moves
/// within the limit, each destination and source inside the framebuffer; finally an
/// enabled output shows a primary framebuffer and a disabled one shows nothing; and the client's
/// outputs and copy-path planes stay within its pixel budget (`DeviceLimits.maximumPixelsPerClient`).
struct CommitValidator {
    let device: Device
    let client: ClientID

    func validate(_ commit: AtomicCommit) throws(DisplayError) -> [OutputID: PendingFlip] {
        _ = try device.connectedProducer(client)
        let limits = device.limits
        var result: [OutputID: PendingFlip] = [:]

        func flip(for id: OutputID) throws(DisplayError) -> PendingFlip {
            if let existing = result[id] { return existing }
            guard let output = device.outputsByID[id], output.owner == client else { throw .noSuchOutput(id) }
            if let pending = device.pendingByOutput[id] { return pending }
            var planes: [PlaneID: PlaneState] = [:]
            for planeID in device.planeIDsByOutput[id] ?? [] { planes[planeID] = device.planesByID[planeID]?.state }
            return PendingFlip(configuration: output.configuration, planes: planes, damage: [:], pageFlipEvent: false, userData: 0)
        }

        var seenOutputs = Set<OutputID>()
        for update in commit.outputs {
            guard seenOutputs.insert(update.output).inserted else { throw .duplicateOutput(update.output) }
            var next = try flip(for: update.output)
            if let enabled = update.enabled { next.configuration.enabled = enabled }
            if let mode = update.mode {
                guard mode.isValid(maximumSize: limits.maximumSize) else {
                    throw .invalidMode(update.output, mode, maximum: limits.maximumSize)
                }
                next.configuration.mode = mode
            }
            if let position = update.position {
                guard abs(position.x) <= limits.coordinateLimit, abs(position.y) <= limits.coordinateLimit else {
                    throw .positionOutOfRange(update.output, position)
                }
                next.configuration.position = position
            }
            result[update.output] = next
        }

        var seenPlanes = Set<PlaneID>()
        for update in commit.planes {
            guard seenPlanes.insert(update.plane).inserted else { throw .duplicatePlane(update.plane) }
            guard let plane = device.planesByID[update.plane],
                  device.outputsByID[plane.output]?.owner == client else { throw .noSuchPlane(update.plane) }
            var next = try flip(for: plane.output)
            let (damage, moves) = try validate(update, type: plane.type)
            // Moves are relative to the picture on screen, so they count only for the first
            // commit to change the plane since the last tick; later ones turn every move of the
            // plane into damage (docs/protocol.md §5.8, §12 mailbox).
            let touched = next.damage[plane.id] != nil || next.planes[plane.id] != device.planesByID[plane.id]?.state
            let limit = limits.maximumDamageRectsPerPlane
            next.planes[plane.id] = update.state
            if touched, let earlier = next.moves.removeValue(forKey: plane.id), let old = next.damage[plane.id] {
                next.damage[plane.id] = old.including(earlier, limit: limit)
            }
            if var damage {
                if touched { damage = damage.including(moves, limit: limit) } else if !moves.isEmpty { next.moves[plane.id] = moves }
                next.damage[plane.id] = next.damage[plane.id].map { $0.merged(with: damage, limit: limit) } ?? damage
            }
            result[plane.output] = next
        }

        for (outputID, var next) in result {
            let planeIDs = device.planeIDsByOutput[outputID] ?? []
            if next.configuration.enabled {
                guard let primary = planeIDs.first, next.planes[primary]?.framebuffer != nil else {
                    throw .enabledOutputWithoutPrimary(outputID)
                }
            } else {
                for planeID in planeIDs {
                    if let fb = next.planes[planeID]?.framebuffer { throw .disabledOutputShowsFramebuffer(outputID, planeID, fb) }
                }
            }
            if commit.pageFlipEvent {
                next.pageFlipEvent = true
                next.userData = commit.userData
            }
            result[outputID] = next
        }
        // Only a new mode or a copy-path framebuffer can make the client's pixels grow.
        let mayGrow = commit.outputs.contains { $0.mode != nil }
            || commit.planes.contains { $0.state.framebuffer.flatMap { device.framebuffersByID[$0] }?.path == .copy }
        if mayGrow { try device.checkPixelBudget(of: client, with: result) }
        return result
    }

    /// Checks one plane's new state; returns its damage (`nil` for a disabled plane) and its moves
    /// (none when the whole plane is damaged, and none that move nothing).
    private func validate(_ update: AtomicCommit.PlaneUpdate, type: PlaneType) throws(DisplayError) -> (PlaneDamage?, [CopyMove]) {
        let limits = device.limits
        let state = update.state, id = update.plane
        guard let fbID = state.framebuffer else { return (nil, []) }
        guard let framebuffer = device.framebuffersByID[fbID], framebuffer.owner == client else { throw .noSuchFramebuffer(fbID) }
        guard !state.source.isEmpty else { throw .emptySource(id) }
        guard state.source.isInside(width: framebuffer.width, height: framebuffer.height) else {
            throw .sourceOutsideFramebuffer(id, state.source, fbID, width: framebuffer.width, height: framebuffer.height)
        }
        let destination = state.destination
        guard !destination.isEmpty else { throw .emptyDestination(id, destination) }
        let limit = limits.coordinateLimit
        guard abs(destination.x) <= limit, abs(destination.y) <= limit,
              destination.width <= limits.maximumSize, destination.height <= limits.maximumSize else {
            throw .destinationOutOfRange(id, destination, limit: limit)
        }
        if type == .cursor, destination.width > limits.maximumCursorSize || destination.height > limits.maximumCursorSize {
            throw .cursorTooLarge(id, destination.size, maximum: limits.maximumCursorSize)
        }
        guard abs(state.hotspot.x) <= limit, abs(state.hotspot.y) <= limit else { throw .hotspotOutOfRange(id, state.hotspot) }
        guard (0...255).contains(state.zPosition) else { throw .zPositionOutOfRange(id, state.zPosition) }
        let damage = PlaneDamage(clips: update.damage, limit: limits.maximumDamageRectsPerPlane)
        if case .rects(let rects) = damage {
            let bounds = framebuffer.descriptor.bounds
            for rect in rects where !bounds.contains(rect) { throw .damageOutsideFramebuffer(id, rect, fbID) }
        }
        guard update.moves.count <= limits.maximumMovesPerPlane else {
            throw .tooManyMoves(id, count: update.moves.count, maximum: limits.maximumMovesPerPlane)
        }
        let bounds = framebuffer.descriptor.bounds
        for move in update.moves {
            let source = Rect(origin: move.source, size: move.destination.size)
            guard !move.destination.isEmpty, bounds.contains(move.destination), bounds.contains(source) else {
                throw .moveOutsideFramebuffer(id, move, fbID)
            }
        }
        guard case .rects = damage else { return (damage, []) }
        return (damage, update.moves.filter { $0.dx != 0 || $0.dy != 0 })
    }
}
