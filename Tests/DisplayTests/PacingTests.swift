import Testing
import Geometry
@testable import Display

/// Mailbox pacing: one pending commit per output, replaced by newer ones, applied at the frame
/// tick with a page-flip event; framebuffers are released when they leave the screen or when the
/// commit that would have shown them is replaced.
struct PacingTests {
    @Test func pageFlipCarriesTheTickSequenceTimestampAndUserData() throws {
        var rig = Rig()
        let a = rig.outputA.id
        #expect(rig.device.frameTick(a, timestampNanoseconds: 10) == FrameTick(sequence: 1, applied: false))
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, userData: 42), by: rig.producerA)
        #expect(rig.device.hasPendingCommit(a))
        let tick = rig.device.frameTick(a, timestampNanoseconds: 20)
        #expect(tick.applied && tick.configurationChanged)
        #expect(tick.events.contains(.pageFlip(to: rig.producerA, output: a, sequence: 2, timestampNanoseconds: 20, userData: 42)))
        #expect(!rig.device.hasPendingCommit(a))
        // Ticks without a commit advance the sequence silently, like vblanks.
        #expect(rig.device.frameTick(a, timestampNanoseconds: 30).events.isEmpty)
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, damage: [], userData: 43), by: rig.producerA)
        #expect(rig.device.frameTick(a, timestampNanoseconds: 40).events
                == [.pageFlip(to: rig.producerA, output: a, sequence: 4, timestampNanoseconds: 40, userData: 43)])
    }

    @Test func noPageFlipEventUnlessAskedFor() throws {
        var rig = Rig()
        var commit = rig.showOnA(rig.framebufferA)
        commit.pageFlipEvent = false
        _ = try rig.device.commit(commit, by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(tick.applied)
        #expect(!tick.events.contains { if case .pageFlip = $0 { return true } else { return false } })
    }

    @Test func aNewerCommitReplacesThePendingOneAndReleasesItsBuffer() throws {
        var rig = Rig()
        let a = rig.outputA.id
        let second = rig.addFramebufferA(), third = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(a, timestampNanoseconds: 1)

        // `second` is pending; `third` replaces it before the tick: `second` never reaches the screen.
        #expect(try rig.device.commit(rig.showOnA(second, userData: 2), by: rig.producerA).isEmpty)
        #expect(try rig.device.commit(rig.showOnA(third, userData: 3), by: rig.producerA)
                == [.release(to: rig.producerA, framebuffer: second)])
        let tick = rig.device.frameTick(a, timestampNanoseconds: 2)
        #expect(tick.events == [.pageFlip(to: rig.producerA, output: a, sequence: 2, timestampNanoseconds: 2, userData: 3),
                                .release(to: rig.producerA, framebuffer: rig.framebufferA)])
        #expect(try rig.device.planes(on: a, visibleTo: rig.producerA)[0].state.framebuffer == third)
    }

    @Test func replacingWithTheBufferOnScreenReleasesNothingEarly() throws {
        var rig = Rig()
        let a = rig.outputA.id
        let second = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(a, timestampNanoseconds: 1)
        _ = try rig.device.commit(rig.showOnA(second), by: rig.producerA)
        // Going back to the buffer on screen: `second` is released, the screen one is not.
        #expect(try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA) == [.release(to: rig.producerA, framebuffer: second)])
        let tick = rig.device.frameTick(a, timestampNanoseconds: 2)
        #expect(!tick.events.contains { if case .release = $0 { return true } else { return false } })
    }

    @Test func replacedDamageIsMerged() throws {
        var rig = Rig()
        let a = rig.outputA.id
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(a, timestampNanoseconds: 1)
        let first = Rect(x: 0, y: 0, width: 2, height: 2), second = Rect(x: 4, y: 4, width: 1, height: 1)
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, damage: [first]), by: rig.producerA)
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, damage: [second]), by: rig.producerA)
        #expect(rig.device.frameTick(a, timestampNanoseconds: 2).planeDamage == [rig.outputA.primaryPlane: .rects([first, second])])
    }

    @Test func anInUseFramebufferCannotBeRemovedUntilReleased() throws {
        var rig = Rig()
        let second = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        #expect(throws: DisplayError.framebufferInUse(rig.framebufferA)) { try rig.device.removeFramebuffer(rig.framebufferA, by: rig.producerA) }
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        _ = try rig.device.commit(rig.showOnA(second), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        try rig.device.removeFramebuffer(rig.framebufferA, by: rig.producerA)
        #expect(throws: DisplayError.noSuchFramebuffer(rig.framebufferA)) { try rig.device.framebuffer(rig.framebufferA, visibleTo: rig.producerA) }
    }

    @Test func consumersHearAboutConfigurationChangesAtTheTick() throws {
        var rig = Rig()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        let changed = try rig.device.output(rig.outputA.id, visibleTo: rig.consumer)
        #expect(changed.configuration.enabled)
        #expect(tick.events.contains(.outputChanged(to: rig.consumer, changed)))
    }

    @Test func scanoutLayersFollowTheScreenNotThePendingCommit() throws {
        var rig = Rig()
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).isEmpty)
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).isEmpty)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).map(\.framebuffer.id) == [rig.framebufferA])
    }
}

extension FrameTick: Equatable {
    public static func == (a: FrameTick, b: FrameTick) -> Bool {
        a.sequence == b.sequence && a.applied == b.applied && a.configurationChanged == b.configurationChanged
            && a.planeDamage == b.planeDamage && a.events == b.events
    }
}
