/// Commits and frame ticks: the mailbox.
extension Device {
    /// Validates `commit` as a whole and, unless it is test-only, makes it the pending state of
    /// each output it touches, replacing what was pending there. Returns release events for
    /// framebuffers the replaced commit had put on a plane and this one took off again.
    public mutating func commit(_ commit: AtomicCommit, by client: ClientID) throws(DisplayError) -> [DisplayEvent] {
        let flips = try CommitValidator(device: self, client: client).validate(commit)
        if commit.testOnly { return [] }
        let before = referencedFramebuffers()
        for (output, flip) in flips { pendingByOutput[output] = flip }
        return releases(before: before, after: referencedFramebuffers())
    }

    /// Counts the vblanks a sleeping frame clock did not tick for (docs/protocol.md §12): the
    /// output's sequence becomes `sequence` unless it is already there. Nothing else changes; a
    /// pending commit waits for a real tick.
    public mutating func catchUpSequence(of id: OutputID, to sequence: UInt64) {
        guard var output = outputsByID[id], output.sequence < sequence else { return }
        output.sequence = sequence
        outputsByID[id] = output
    }

    /// The output's frame tick (its vblank): the sequence advances and the pending commit, if any,
    /// reaches the screen. Copy-path framebuffers are copied first (docs/protocol.md §11). The
    /// producer gets a page-flip event if it asked for one, framebuffers that left the screen (and
    /// copy-path ones just copied) are released, and consumers hear about configuration changes.
    /// `timestampNanoseconds` is the edge's clock at the tick.
    public mutating func frameTick(_ id: OutputID, timestampNanoseconds: UInt64) -> FrameTick {
        guard var output = outputsByID[id] else { return FrameTick(sequence: 0, applied: false) }
        output.sequence &+= 1
        guard let flip = pendingByOutput.removeValue(forKey: id) else {
            outputsByID[id] = output
            return FrameTick(sequence: output.sequence, applied: false)
        }
        let copied = copyPlanes(of: flip)
        // The pending commit left the mailbox above; what it copied counts as read until now.
        let before = referencedFramebuffers().union(copied.framebuffers)
        let changed = output.configuration != flip.configuration
        output.configuration = flip.configuration
        outputsByID[id] = output
        for (planeID, state) in flip.planes { planesByID[planeID]?.state = state }
        var events: [DisplayEvent] = []
        if flip.pageFlipEvent, isConnected(output.owner) {
            events.append(.pageFlip(to: output.owner, output: id, sequence: output.sequence,
                                    timestampNanoseconds: timestampNanoseconds, userData: flip.userData))
        }
        events += releases(before: before, after: referencedFramebuffers())
        if changed { events += consumers.map { .outputChanged(to: $0, output) } }
        return FrameTick(sequence: output.sequence, applied: true, configurationChanged: changed,
                         planeDamage: flip.damage.filter { !$0.value.isEmpty || flip.moves[$0.key] != nil },
                         planeMoves: flip.moves, events: events, copiedBytes: copied.bytes)
    }
}

/// What a frame tick did.
public struct FrameTick: Sendable {
    /// The output's frame counter after the tick.
    public var sequence: UInt64
    /// True when a pending commit reached the screen: recompose the output then.
    public var applied: Bool
    /// Mode, position or enabled state changed: the scanout may have a new size.
    public var configurationChanged: Bool
    /// What changed inside each plane's framebuffer, for `Composer.compose`. Planes that were
    /// moved, restacked, or given another framebuffer are found by the composer itself.
    public var planeDamage: [PlaneID: PlaneDamage]
    /// The producers' moves (docs/protocol.md §5.8, version 1.2) per plane, relative to the
    /// picture before the tick; their destinations are not in `planeDamage`.
    public var planeMoves: [PlaneID: [CopyMove]]
    public var events: [DisplayEvent]
    /// Bytes of copy-path framebuffers copied at this tick (docs/protocol.md §11): the damage, or
    /// whole framebuffers new to their plane.
    public var copiedBytes: Int

    public init(sequence: UInt64, applied: Bool, configurationChanged: Bool = false,
                planeDamage: [PlaneID: PlaneDamage] = [:], planeMoves: [PlaneID: [CopyMove]] = [:],
                events: [DisplayEvent] = [], copiedBytes: Int = 0) {
        self.sequence = sequence; self.applied = applied; self.configurationChanged = configurationChanged
        self.planeDamage = planeDamage; self.planeMoves = planeMoves; self.events = events; self.copiedBytes = copiedBytes
    }
}
