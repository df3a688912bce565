import PortholeTestSupport
import Testing
import Geometry
@testable import Display

/// The per-client pixel budget (`DeviceLimits.maximumPixelsPerClient`): what the server would
/// hold for a client's outputs and copy-path planes is checked before a request that adds to it
/// is accepted, so a producer cannot have the server allocate without bound.
struct PixelBudgetTests {
    /// Rig's two 8x6 outputs (one per producer) hold 48 pixels each; producer A may hold 100.
    func rig(maximum: Int = 100, onDevice: Int = 1 << 28) -> Rig {
        var limits = DeviceLimits()
        limits.maximumPixelsPerClient = maximum
        limits.maximumPixels = onDevice
        return Rig(limits: limits)
    }

    @Test func anOutputPastTheBudgetIsRefusedAndOneWithinItIsNot() throws {
        var rig = rig()
        #expect(throws: DisplayError.tooManyPixels(rig.producerA, needed: 48 + 60, maximum: 100)) {
            try rig.device.createOutput(OutputRequest(name: "A-2", modes: [DisplayMode(width: 10, height: 6)]), by: rig.producerA)
        }
        // The refused output was not made; a smaller one fits (48 + 50 pixels).
        #expect(rig.device.outputs(visibleTo: rig.producerA).count == 1)
        _ = try rig.device.createOutput(OutputRequest(name: "A-2", modes: [DisplayMode(width: 10, height: 5)]), by: rig.producerA)
        // Producer B's budget is its own.
        _ = try rig.device.createOutput(OutputRequest(name: "B-2", modes: [DisplayMode(width: 10, height: 5)]), by: rig.producerB)
    }

    @Test func theDevicesTotalIsBoundedToo() throws {
        // Each producer within its 100, but 48 + 48 + 50 + 50 is past the device's 150.
        var rig = rig(onDevice: 150)
        _ = try rig.device.createOutput(OutputRequest(name: "A-2", modes: [DisplayMode(width: 10, height: 5)]), by: rig.producerA)
        #expect(throws: DisplayError.tooManyPixelsOnDevice(needed: 196, maximum: 150)) {
            try rig.device.createOutput(OutputRequest(name: "B-2", modes: [DisplayMode(width: 10, height: 5)]), by: rig.producerB)
        }
        _ = try rig.device.destroyOutput(rig.outputA.id, by: rig.producerA)
        _ = try rig.device.createOutput(OutputRequest(name: "B-2", modes: [DisplayMode(width: 10, height: 5)]), by: rig.producerB)
        #expect(rig.device.heldPixels(of: nil) == 148)
    }

    @Test func aModeChangePastTheBudgetIsRejectedWithTheCommit() throws {
        var rig = rig()
        let fb = rig.addFramebufferA()
        var commit = rig.showOnA(fb)
        commit.outputs[0].mode = DisplayMode(width: 11, height: 10)
        #expect(throws: DisplayError.tooManyPixels(rig.producerA, needed: 110, maximum: 100)) {
            try rig.device.commit(commit, by: rig.producerA)
        }
        #expect(!rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1).applied)
        commit.outputs[0].mode = DisplayMode(width: 10, height: 10)
        _ = try rig.device.commit(commit, by: rig.producerA)
        #expect(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2).applied)
    }

    @Test func copyPathPlanesCountWhileTheyShowTheirCopy() throws {
        // 48 for the output; each 8x6 copy-path framebuffer on a plane is copied whole: 48 more.
        var rig = rig(maximum: 120)
        let copy = try rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6),
                                                 memory: ByteArrayMemory(byteCount: 8 * 6 * 4), path: .copy, by: rig.producerA)
        _ = try rig.device.commit(rig.showOnA(copy), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(rig.device.heldPixels(of: rig.producerA) == 96)
        let overlay = try rig.device.createOverlayPlane(on: rig.outputA.id, by: rig.producerA)
        let second = try rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6),
                                                   memory: ByteArrayMemory(byteCount: 8 * 6 * 4), path: .copy, by: rig.producerA)
        var both = rig.showOnA(copy)
        both.planes.append(.init(plane: overlay, state: PlaneState(framebuffer: second, size: Rig.size)))
        #expect(throws: DisplayError.tooManyPixels(rig.producerA, needed: 144, maximum: 120)) {
            try rig.device.commit(both, by: rig.producerA)
        }
        // A zero-copy framebuffer on the overlay is read in place and holds nothing.
        both.planes[1].state.framebuffer = rig.framebufferA
        _ = try rig.device.commit(both, by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(rig.device.heldPixels(of: rig.producerA) == 96)
    }
}
