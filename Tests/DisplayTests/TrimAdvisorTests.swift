import Display
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// `TrimAdvisor`: trimming every frame while its cut is used, one frame in `trialSpacing` after
/// `unusedBeforeSkipping` unused cuts in a row, and every frame again after a used one; and
/// refinement under it: frames it leaves untrimmed still carry every viewer to the new frame.
struct TrimAdvisorTests {
    @Test func trimsEveryFrameWhileTheCutIsUsed() {
        var advisor = TrimAdvisor()
        for _ in 0..<100 {
            let trims = advisor.nextFrameTrims()
            #expect(trims)
            advisor.record(cutUsed: true)
        }
        #expect(!advisor.isSkipping)
    }

    @Test func unusedCutsMakeTrimmingOccasionalUntilOneIsUsed() {
        var advisor = TrimAdvisor()
        for _ in 0..<TrimAdvisor.unusedBeforeSkipping {
            let trims = advisor.nextFrameTrims()
            #expect(trims)
            advisor.record(cutUsed: false)
        }
        #expect(advisor.isSkipping)
        // Occasional: exactly one frame in `trialSpacing` is trimmed while the cut stays unused.
        var trimmed: [Int] = []
        for frame in 0..<(3 * TrimAdvisor.trialSpacing) where advisor.nextFrameTrims() {
            trimmed.append(frame)
            advisor.record(cutUsed: false)
        }
        #expect(trimmed == [1, 2, 3].map { $0 * TrimAdvisor.trialSpacing - 1 })
        // A trial whose cut is used brings trimming back for every frame.
        while !advisor.nextFrameTrims() {}
        advisor.record(cutUsed: true)
        #expect(!advisor.isSkipping)
        for _ in 0..<TrimAdvisor.unusedBeforeSkipping - 1 {
            let trims = advisor.nextFrameTrims()
            #expect(trims)
            advisor.record(cutUsed: false)
        }
        #expect(!advisor.isSkipping, "one unused cut short of skipping again")
    }

    /// A noise region changes every pixel, so no cut is used and the advisor starts skipping;
    /// whatever it decides, every refined frame carries viewers with and without copies exactly,
    /// and a frame of text lines the advisor trims again once a trial's cut is used.
    @Test func framesLeftUntrimmedStayExact() {
        let refinery = DamageRefinery(comparer: TileComparer(tileSize: 16), moveDetector: MoveDetector(), trimmer: ChangedPixelTrimmer())
        var advisor = TrimAdvisor()
        var previous = TestImages.desktop(width: 160, height: 120)
        let noise = Rect(x: 16, y: 16, width: 96, height: 64)
        for round in 0..<40 {
            var current = previous
            if round < 20 {
                current.blit(TestImages.random(width: noise.width, height: noise.height, seed: UInt64(round)), at: noise.origin)
            } else {
                // A short line of text in a blank band: most of its tiles' rows do not change.
                current.fill(Rect(x: 0, y: 90, width: 160, height: 20), with: 0xffffff)
                current.fill(Rect(x: 4, y: 96, width: 10 + round, height: 6), with: 0x101010)
            }
            let refined = refinery.refine(.full(previous.bounds), previous: previous, current: current, advisor: &advisor)
            #expect(viewerPicture(from: previous, applying: refined, from: current) == current, "round \(round): with copies")
            #expect(viewerPicture(from: previous, applying: refined.withoutCopies, from: current) == current, "round \(round): without copies")
            if round == 19 { #expect(advisor.isSkipping, "noise made no cut worth using") }
            previous = current
        }
        #expect(!advisor.isSkipping, "the text lines' cuts were used again")
    }
}
