import Testing
@testable import Display

/// Releases of framebuffers lent as scanouts wait for the last lent picture (zero-copy scanout).
struct LentFramebufferHoldsTests {
    let owner = ClientID(7)
    let a = FramebufferID(1), b = FramebufferID(2)

    @Test func aReleaseWaitsForTheLastLentPicture() {
        var holds = LentFramebufferHolds()
        holds.lend(a)
        holds.lend(a)
        let events: [DisplayEvent] = [.release(to: owner, framebuffer: a), .release(to: owner, framebuffer: b)]
        let passed = holds.passing(events)
        #expect(passed.count == 1)
        if case .release(_, let framebuffer)? = passed.first { #expect(framebuffer == b) } else { Issue.record("b's release should pass") }
        #expect(holds.returned(a) == nil, "one lent picture of a is still alive")
        #expect(holds.isLent(a))
        guard case .release(let to, let framebuffer)? = holds.returned(a) else {
            Issue.record("the last picture's return lets the release go")
            return
        }
        #expect(to == owner && framebuffer == a)
        #expect(!holds.isLent(a))
        #expect(holds.returned(a) == nil, "nothing is sent twice")
    }

    @Test func aLentFramebufferWithoutAReleaseSendsNothingWhenReturned() {
        var holds = LentFramebufferHolds()
        holds.lend(a)
        #expect(holds.passing([]).isEmpty)
        #expect(holds.returned(a) == nil)
        #expect(holds.passing([.release(to: owner, framebuffer: a)]).count == 1, "no longer lent: the release passes")
    }
}

/// When a Release held for a lent framebuffer may go out (`Device.isReleasable`).
struct HeldReleaseTests {
    @Test func aHeldReleaseGoesOutOnceTheFramebufferIsOffScreenOrGone() throws {
        var rig = Rig()
        let second = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        #expect(!rig.device.isReleasable(rig.framebufferA, owedTo: rig.producerA), "pending")
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(!rig.device.isReleasable(rig.framebufferA, owedTo: rig.producerA), "on screen")
        _ = try rig.device.commit(rig.showOnA(second), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(rig.device.isReleasable(rig.framebufferA, owedTo: rig.producerA), "off screen")
        try rig.device.removeFramebuffer(rig.framebufferA, by: rig.producerA)
        #expect(rig.device.isReleasable(rig.framebufferA, owedTo: rig.producerA), "destroyed meanwhile: its Release is still owed")
        _ = rig.device.disconnect(rig.producerA, now: 3)
        #expect(!rig.device.isReleasable(rig.framebufferA, owedTo: rig.producerA), "nobody to tell")
    }
}
