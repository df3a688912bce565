import Geometry

/// Creating and destroying outputs (virtual hotplug), overlay planes and framebuffers.
extension Device {
    /// What `createOutput` made.
    public struct CreatedOutput: Equatable, Sendable {
        public let output: DisplayOutput
        public let events: [DisplayEvent]
    }

    /// Virtual hotplug: the producer creates an output, with a primary and a cursor plane. It
    /// starts disabled in its preferred (first) mode; a commit that puts a framebuffer on the
    /// primary plane and enables it lights it up. Consumers get `outputAdded`.
    public mutating func createOutput(_ request: OutputRequest, by client: ClientID) throws(DisplayError) -> CreatedOutput {
        _ = try connectedProducer(client)
        let owned = outputsByID.values.lazy.filter { $0.owner == client }.count
        guard owned < limits.maximumOutputsPerClient else { throw .tooManyOutputs(client, maximum: limits.maximumOutputsPerClient) }
        guard let preferred = request.modes.first else { throw .noModes }
        let modes = Array(request.modes.prefix(64))
        for mode in modes where !mode.isValid(maximumSize: limits.maximumSize) {
            throw .invalidMode(nil, mode, maximum: limits.maximumSize)
        }
        try checkPixelBudget(of: client, adding: preferred.pixels)
        let position = request.position
        guard abs(position.x) <= limits.coordinateLimit, abs(position.y) <= limits.coordinateLimit else {
            throw .positionOutOfRange(nil, position)
        }
        let id = OutputID(allocateObjectID())
        let primary = PlaneID(allocateObjectID()), cursor = PlaneID(allocateObjectID())
        let output = DisplayOutput(
            id: id, name: String(request.name.prefix(64)), owner: client,
            configuration: OutputConfiguration(enabled: false, mode: preferred, position: position),
            preferredMode: preferred, modes: modes,
            physicalSize: Size(width: max(0, min(request.physicalSize.width, 100_000)), height: max(0, min(request.physicalSize.height, 100_000))),
            primaryPlane: primary, cursorPlane: cursor, sequence: 0)
        outputsByID[id] = output
        planesByID[primary] = Plane(id: primary, type: .primary, output: id, state: .disabled)
        planesByID[cursor] = Plane(id: cursor, type: .cursor, output: id, state: .disabled)
        planeIDsByOutput[id] = [primary, cursor]
        return CreatedOutput(output: output, events: consumers.map { .outputAdded(to: $0, output) })
    }

    /// Virtual unplug: the output, its planes and its pending commit go; its framebuffers are
    /// released (they stay the producer's); consumers get `outputRemoved`.
    public mutating func destroyOutput(_ id: OutputID, by client: ClientID) throws(DisplayError) -> [DisplayEvent] {
        _ = try connectedProducer(client)
        guard let output = outputsByID[id], output.owner == client else { throw .noSuchOutput(id) }
        return removeOutput(id)
    }

    mutating func removeOutput(_ id: OutputID) -> [DisplayEvent] {
        let before = referencedFramebuffers()
        pendingByOutput[id] = nil
        for planeID in planeIDsByOutput.removeValue(forKey: id) ?? [] {
            planesByID[planeID] = nil
            planeCopies[planeID] = nil
        }
        outputsByID[id] = nil
        return releases(before: before, after: referencedFramebuffers()) + consumers.map { .outputRemoved(to: $0, id) }
    }

    /// Adds an overlay plane to an output the producer owns. It starts disabled, above the
    /// primary plane and below the cursor.
    public mutating func createOverlayPlane(on id: OutputID, by client: ClientID) throws(DisplayError) -> PlaneID {
        _ = try connectedProducer(client)
        guard let output = outputsByID[id], output.owner == client else { throw .noSuchOutput(id) }
        let existing = planeIDsByOutput[id] ?? []
        guard existing.count < limits.maximumPlanesPerOutput else { throw .tooManyPlanes(id, maximum: limits.maximumPlanesPerOutput) }
        let plane = PlaneID(allocateObjectID())
        planesByID[plane] = Plane(id: plane, type: .overlay, output: id, state: .disabled)
        planeIDsByOutput[id] = existing + [plane]
        return plane
    }

    /// Removes an overlay plane that shows nothing, on screen or pending.
    public mutating func destroyPlane(_ id: PlaneID, by client: ClientID) throws(DisplayError) {
        _ = try connectedProducer(client)
        guard let plane = planesByID[id], outputsByID[plane.output]?.owner == client else { throw .noSuchPlane(id) }
        guard plane.type == .overlay else { throw .notAnOverlay(id) }
        guard plane.state.framebuffer == nil, pendingByOutput[plane.output]?.planes[id]?.framebuffer == nil else {
            throw .planeInUse(id)
        }
        planesByID[id] = nil
        planeCopies[id] = nil
        pendingByOutput[plane.output]?.planes[id] = nil
        planeIDsByOutput[plane.output]?.removeAll { $0 == id }
    }

    /// Registers a framebuffer (KMS ADDFB2), checking its layout against its memory first. `path`
    /// says whether the server reads the memory in place or copies it at each tick that applies
    /// it (docs/protocol.md §11).
    public mutating func addFramebuffer(_ descriptor: FramebufferDescriptor, memory: any FramebufferMemory,
                                        path: FramebufferPath = .zeroCopy, by client: ClientID) throws(DisplayError) -> FramebufferID {
        _ = try connectedProducer(client)
        let owned = framebuffersByID.values.lazy.filter { $0.owner == client }.count
        guard owned < limits.maximumFramebuffersPerClient else {
            throw .tooManyFramebuffers(client, maximum: limits.maximumFramebuffersPerClient)
        }
        let id = FramebufferID(nextObjectID)
        let framebuffer = try Framebuffer(id: id, owner: client, descriptor: descriptor, memory: memory, path: path,
                                          maximumSize: limits.maximumSize)
        _ = allocateObjectID()
        framebuffersByID[id] = framebuffer
        return id
    }

    /// Forgets a framebuffer (KMS RMFB). Refused while the server may still read it (on screen on
    /// the zero-copy path, or pending), so the producer waits for its release event. A copy-path
    /// framebuffer on screen may go: its planes keep showing their copy (docs/protocol.md §5.7).
    public mutating func removeFramebuffer(_ id: FramebufferID, by client: ClientID) throws(DisplayError) {
        _ = try connectedProducer(client)
        guard let framebuffer = framebuffersByID[id], framebuffer.owner == client else { throw .noSuchFramebuffer(id) }
        guard !referencedFramebuffers().contains(id) else { throw .framebufferInUse(id) }
        framebuffersByID[id] = nil
    }

    /// A consumer asks for another mode or position of an output (from RFB SetDesktopSize, for
    /// instance). The request goes to the owning producer, which decides; nothing changes here.
    public func requestLayout(of id: OutputID, mode: DisplayMode?, position: Point?, by client: ClientID) throws(DisplayError) -> [DisplayEvent] {
        guard let output = outputsByID[id], canSee(output, client) else { throw .noSuchOutput(id) }
        if let mode, !mode.isValid(maximumSize: limits.maximumSize) { throw .invalidMode(id, mode, maximum: limits.maximumSize) }
        if let position, abs(position.x) > limits.coordinateLimit || abs(position.y) > limits.coordinateLimit {
            throw .positionOutOfRange(id, position)
        }
        guard isConnected(output.owner) else { return [] }
        return [.layoutRequest(to: output.owner, output: id, mode: mode, position: position)]
    }
}
