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
