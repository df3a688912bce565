import Testing
import Geometry
@testable import Display

/// Leases and lifecycle: producers see only their own objects, outputs come and go (virtual
/// hotplug), and a disconnected producer's outputs survive a grace period it can reclaim them in.
struct LeaseTests {
    @Test func eachProducerSeesOnlyItsOwnObjects() throws {
        var rig = Rig()
        #expect(rig.device.outputs(visibleTo: rig.producerA).map(\.id) == [rig.outputA.id])
        #expect(rig.device.outputs(visibleTo: rig.producerB).map(\.id) == [rig.outputB.id])
        #expect(rig.device.outputs(visibleTo: rig.consumer).map(\.id) == [rig.outputA.id, rig.outputB.id])
        #expect(throws: DisplayError.noSuchOutput(rig.outputB.id)) { try rig.device.output(rig.outputB.id, visibleTo: rig.producerA) }
        #expect(throws: DisplayError.noSuchOutput(rig.outputB.id)) { try rig.device.destroyOutput(rig.outputB.id, by: rig.producerA) }
        #expect(throws: DisplayError.noSuchOutput(rig.outputB.id)) { try rig.device.createOverlayPlane(on: rig.outputB.id, by: rig.producerA) }
        #expect(throws: DisplayError.noSuchPlane(rig.outputB.cursorPlane)) { try rig.device.destroyPlane(rig.outputB.cursorPlane, by: rig.producerA) }
        #expect(throws: DisplayError.noSuchFramebuffer(rig.framebufferB)) { try rig.device.removeFramebuffer(rig.framebufferB, by: rig.producerA) }
        #expect(throws: DisplayError.noSuchOutput(rig.outputA.id)) { try rig.device.planes(on: rig.outputA.id, visibleTo: rig.consumer) }

        // Both producers commit independently; each gets only its own events.
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = try rig.device.commit(AtomicCommit(planes: [.init(plane: rig.outputB.primaryPlane, state: PlaneState(framebuffer: rig.framebufferB, size: Rig.size))],
                                               outputs: [.init(output: rig.outputB.id, enabled: true)]), by: rig.producerB)
        let tickA = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        let tickB = rig.device.frameTick(rig.outputB.id, timestampNanoseconds: 1)
        #expect(tickA.events.allSatisfy { $0.recipient != rig.producerB })
        #expect(tickB.events.allSatisfy { $0.recipient != rig.producerA })
    }

    /// A plane's output, for the producer that owns the output only: its own primary, cursor and
    /// overlay planes; nobody else's, and not a plane that is gone.
    @Test func aPlanesOutputIsFoundForItsOwnerOnly() throws {
        var rig = Rig()
        let overlay = try rig.device.createOverlayPlane(on: rig.outputA.id, by: rig.producerA)
        for plane in [rig.outputA.primaryPlane, rig.outputA.cursorPlane, overlay] {
            #expect(rig.device.output(ofPlane: plane, ownedBy: rig.producerA) == rig.outputA.id)
            #expect(rig.device.output(ofPlane: plane, ownedBy: rig.producerB) == nil)
            #expect(rig.device.output(ofPlane: plane, ownedBy: rig.consumer) == nil)
        }
        #expect(rig.device.output(ofPlane: rig.outputB.primaryPlane, ownedBy: rig.producerB) == rig.outputB.id)
        try rig.device.destroyPlane(overlay, by: rig.producerA)
        #expect(rig.device.output(ofPlane: overlay, ownedBy: rig.producerA) == nil)
    }

    @Test func hotplugAddsAndRemovesOutputsForConsumers() throws {
        var rig = Rig()
        let created = try rig.device.createOutput(OutputRequest(name: "A-2", modes: [DisplayMode(width: 640, height: 480), DisplayMode(width: 320, height: 200)]),
                                                  by: rig.producerA)
        #expect(created.events == [.outputAdded(to: rig.consumer, created.output)])
        #expect(created.output.mode == DisplayMode(width: 640, height: 480) && !created.output.configuration.enabled)
        #expect(try rig.device.planes(on: created.output.id, visibleTo: rig.producerA).map(\.type) == [.primary, .cursor])

        // Destroying an output that shows a framebuffer releases it.
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(try rig.device.destroyOutput(rig.outputA.id, by: rig.producerA)
                == [.release(to: rig.producerA, framebuffer: rig.framebufferA), .outputRemoved(to: rig.consumer, rig.outputA.id)])
        #expect(rig.device.outputs(visibleTo: rig.producerA).map(\.id) == [created.output.id])
        #expect(!rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2).applied)
    }

    @Test func outputAndPlaneLimits() throws {
        var limits = DeviceLimits()
        limits.maximumOutputsPerClient = 1
        limits.maximumPlanesPerOutput = 3
        var rig = Rig(limits: limits)
        #expect(throws: DisplayError.tooManyOutputs(rig.producerA, maximum: 1)) {
            try rig.device.createOutput(OutputRequest(name: "x", modes: [DisplayMode(width: 1, height: 1)]), by: rig.producerA)
        }
        let overlay = try rig.device.createOverlayPlane(on: rig.outputA.id, by: rig.producerA)
        #expect(throws: DisplayError.tooManyPlanes(rig.outputA.id, maximum: 3)) { try rig.device.createOverlayPlane(on: rig.outputA.id, by: rig.producerA) }
        #expect(throws: DisplayError.notAnOverlay(rig.outputA.primaryPlane)) { try rig.device.destroyPlane(rig.outputA.primaryPlane, by: rig.producerA) }
        try rig.device.destroyPlane(overlay, by: rig.producerA)
        var unlimited = Rig()
        #expect(throws: DisplayError.noModes) { try unlimited.device.createOutput(OutputRequest(name: "x", modes: []), by: unlimited.producerB) }
    }

    @Test func layoutRequestsGoToTheOwner() throws {
        let rig = Rig()
        let mode = DisplayMode(width: 1024, height: 768)
        #expect(try rig.device.requestLayout(of: rig.outputA.id, mode: mode, position: nil, by: rig.consumer)
                == [.layoutRequest(to: rig.producerA, output: rig.outputA.id, mode: mode, position: nil)])
        #expect(throws: DisplayError.noSuchOutput(rig.outputA.id)) {
            try rig.device.requestLayout(of: rig.outputA.id, mode: mode, position: nil, by: rig.producerB)
        }
    }

    @Test func aReconnectingProducerTakesItsOutputsBackWithinTheGracePeriod() throws {
        var rig = Rig()
        let spare = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        let grace = rig.device.limits.gracePeriodNanoseconds

        #expect(rig.device.disconnect(rig.producerA, now: 1_000).isEmpty)
        #expect(rig.device.nextLeaseDeadline == 1_000 + grace)
        // The output keeps showing its last frame for consumers.
        #expect(rig.device.outputs(visibleTo: rig.consumer).map(\.id).contains(rig.outputA.id))
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).map(\.framebuffer.id) == [rig.framebufferA])
        #expect(throws: DisplayError.noSuchClient(rig.producerA)) { try rig.device.commit(rig.showOnA(spare), by: rig.producerA) }
        #expect(rig.device.expireLeases(now: 1_000 + grace - 1).isEmpty)

        let (connection, events) = try rig.device.connectProducer(presenting: Rig.tokenA, freshToken: LeaseToken(high: 9, low: 9))
        #expect(connection == ProducerConnection(client: rig.producerA, token: Rig.tokenA, reclaimedOutputs: [rig.outputA.id]))
        #expect(events == [.release(to: rig.producerA, framebuffer: spare)])
        #expect(rig.device.nextLeaseDeadline == nil)
        _ = try rig.device.commit(rig.showOnA(spare), by: rig.producerA)
        #expect(throws: DisplayError.leaseTokenInUse) { try rig.device.connectProducer(presenting: Rig.tokenA, freshToken: LeaseToken(high: 8, low: 8)) }
    }

    @Test func afterTheGracePeriodTheOutputsAreRemovedAndTheTokenIsForgotten() throws {
        var rig = Rig()
        _ = rig.device.disconnect(rig.producerA, now: 0)
        let deadline = rig.device.limits.gracePeriodNanoseconds
        #expect(rig.device.expireLeases(now: deadline) == [.outputRemoved(to: rig.consumer, rig.outputA.id)])
        #expect(rig.device.outputs(visibleTo: rig.consumer).map(\.id) == [rig.outputB.id])

        let fresh = LeaseToken(high: 5, low: 5)
        let (connection, events) = try rig.device.connectProducer(presenting: Rig.tokenA, freshToken: fresh)
        #expect(connection.token == fresh && connection.reclaimedOutputs.isEmpty && connection.client != rig.producerA)
        #expect(events.isEmpty)
        #expect(rig.device.outputs(visibleTo: connection.client).isEmpty)
    }

    @Test func aProducerWithoutOutputsIsForgottenAtOnce() throws {
        var rig = Rig()
        let (connection, _) = try rig.device.connectProducer(presenting: nil, freshToken: LeaseToken(high: 3, low: 3))
        _ = try rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 1, height: 1), memory: ByteArrayMemory(byteCount: 4), by: connection.client)
        _ = rig.device.disconnect(connection.client, now: 0)
        #expect(rig.device.nextLeaseDeadline == nil)
        #expect(try rig.device.connectProducer(presenting: LeaseToken(high: 3, low: 3), freshToken: LeaseToken(high: 4, low: 4)).0.reclaimedOutputs.isEmpty)
    }

    @Test func eventsForADisconnectedConsumerAreNotProduced() throws {
        var rig = Rig()
        _ = rig.device.disconnect(rig.consumer, now: 0)
        let created = try rig.device.createOutput(OutputRequest(name: "A-2", modes: [DisplayMode(width: 4, height: 4)]), by: rig.producerA)
        #expect(created.events.isEmpty)
    }
}
