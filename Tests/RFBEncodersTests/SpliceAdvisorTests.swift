import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
@testable import RFBEncoders
import Testing

/// ZRLE's small runs go through libdeflate only while trials on the connection's own data show
/// it costs at most `SpliceAdvisor.tolerance` more bytes than zlib (`SpliceAdvisor`).
struct SpliceAdvisorTests {
    @Test func warmUpTriesEveryRunAndDecidesNothing() {
        var advisor = SpliceAdvisor()
        for _ in 0..<(SpliceAdvisor.warmUpTrials - 1) {
            #expect(!advisor.splicesSmallRuns)
            #expect(advisor.trialSpacingBytes == 0)
            advisor.record(zlibBytes: 1000, splicedBytes: 900)
        }
        #expect(!advisor.splicesSmallRuns, "one trial short of the warm-up")
        advisor.record(zlibBytes: 1000, splicedBytes: 900)
        #expect(advisor.splicesSmallRuns)
        // 10% smaller: a clear choice, checked less often.
        #expect(advisor.trialSpacingBytes == 4 * SpliceAdvisor.steadyTrialSpacingBytes)
    }

    /// An advisor after 20 trials of 1000 bytes from zlib and `spliced` from libdeflate.
    static func advisor(splicing spliced: Int) -> SpliceAdvisor {
        var advisor = SpliceAdvisor()
        for _ in 0..<20 { advisor.record(zlibBytes: 1000, splicedBytes: spliced) }
        return advisor
    }

    @Test func trialsComeOftenerNearTheThreshold() {
        #expect(Self.advisor(splicing: 995).trialSpacingBytes == SpliceAdvisor.steadyTrialSpacingBytes)
        #expect(Self.advisor(splicing: 1040).trialSpacingBytes == 4 * SpliceAdvisor.steadyTrialSpacingBytes)
    }

    @Test func splicesWithinTheToleranceOnly() {
        #expect(Self.advisor(splicing: 1009).splicesSmallRuns)
        #expect(!Self.advisor(splicing: 1012).splicesSmallRuns)
    }

    @Test func followsThePictureWhenItChanges() {
        var advisor = SpliceAdvisor()
        for _ in 0..<20 { advisor.record(zlibBytes: 2000, splicedBytes: 1990) }
        #expect(advisor.splicesSmallRuns)
        // Runs that repeat what came before them: history is worth a lot.
        var trialsToStop = 0
        while advisor.splicesSmallRuns {
            advisor.record(zlibBytes: 200, splicedBytes: 1500)
            trialsToStop += 1
        }
        #expect(trialsToStop <= 3, "\(trialsToStop) trials")
        var trialsToResume = 0
        while !advisor.splicesSmallRuns {
            advisor.record(zlibBytes: 2000, splicedBytes: 1990)
            trialsToResume += 1
        }
        #expect(trialsToResume > 3 && trialsToResume < 60, "\(trialsToResume) trials")
    }

    @Test func trialsAreSpacedByBytes() {
        let trials = SpliceTrials()
        trials.spacingBytes = 100
        let turns = (0..<12).map { _ in trials.takeTurn(30) }
        // 30 + 30 + 30 + 30 >= 100 bytes passed over before each trial.
        #expect(turns == [false, false, false, false, true, false, false, false, false, true, false, false])
        trials.spacingBytes = 0
        #expect((0..<3).allSatisfy { _ in trials.takeTurn(1) })
    }

    /// Lanes of `width`-wide rectangles in rows of 64, `perLane` each, over `picture`.
    static func lanes(_ lanes: Int, perLane: Int, width: Int) -> [[LaneJob]] {
        (0..<lanes).map { lane in
            (0..<perLane).map { i in LaneJob(rect: Rect(x: i * width, y: lane * 64, width: width, height: 64), lossy: false) }
        }
    }

    /// A page of text: glyphs of random dark and grey pixels in cells of 6x8, lines 12 apart, over
    /// the whole picture (a document being scrolled).
    static func textPage(_ size: Size, seed: UInt64) -> PixelBuffer {
        var page = PixelBuffer(width: size.width, height: size.height, fill: 0x00ffffff)
        let noise = TestImages.random(width: size.width, height: size.height, seed: seed)
        for y in 0..<size.height where y % 12 < 8 {
            for x in 0..<size.width where x % 7 < 6 {
                let bits = noise[x, y]
                if bits & 1 == 1 { page[x, y] = bits & 2 == 0 ? 0x00000000 : 0x00888888 }
            }
        }
        return page
    }

    /// Text, different everywhere: libdeflate loses next to nothing by starting afresh, so after
    /// the warm-up the lanes splice their small runs, and the viewer reads them exactly.
    @Test func textSplicesItsSmallRunsAndDecodesExactly() throws {
        let size = Size(width: 512, height: 128)
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        let translator = PixelTranslator(format: .xrgb8888)
        var spliced: [Int] = []
        for step in 0..<12 {
            let picture = Self.textPage(size, seed: UInt64(20 + step))
            var out = ByteBuffer()
            let jobs = Self.lanes(2, perLane: 4, width: 128)
            let count = picture.withView { encoder.encodeLanes(jobs, of: $0, translator: translator, into: &out) }
            _ = try viewer.apply(ZRLESpliceTests.message(count, out), byteByByte: step == 11)
            #expect(viewer.framebuffer == picture, "step \(step)")
            spliced.append(encoder.laneWorkers.map(\.splicedRuns).reduce(0, +))
        }
        #expect(encoder.spliceAdvisor.splicesSmallRuns)
        #expect(spliced.first == 0, "the warm-up splices nothing: \(spliced)")
        #expect(spliced.last! > 20, "small runs spliced after the warm-up: \(spliced)")
    }

    /// Every rectangle repeats the one before it: zlib matches it into its history and sends next
    /// to nothing, libdeflate would send it whole, so the lanes keep zlib for small runs.
    @Test func repeatedRunsKeepZlib() throws {
        let size = Size(width: 512, height: 128)
        var tile = TestImages.random(width: 128, height: 64, seed: 5)
        // Four colours: palette tiles, compressible by deflate only where they repeat.
        for i in 0..<tile.pixels.count { tile.pixels[i] = [0x000000, 0xffffff, 0x808080, 0x3a6ea5][Int(tile.pixels[i] % 4)] }
        var picture = PixelBuffer(width: size.width, height: size.height)
        for y in stride(from: 0, to: size.height, by: 64) { for x in stride(from: 0, to: size.width, by: 128) { picture.blit(tile, at: Point(x: x, y: y)) } }
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        let translator = PixelTranslator(format: .xrgb8888)
        for step in 0..<12 {
            var out = ByteBuffer()
            let count = picture.withView { encoder.encodeLanes(Self.lanes(2, perLane: 4, width: 128), of: $0, translator: translator, into: &out) }
            _ = try viewer.apply(ZRLESpliceTests.message(count, out))
            #expect(viewer.framebuffer == picture, "step \(step)")
        }
        #expect(encoder.spliceAdvisor.trials >= SpliceAdvisor.warmUpTrials)
        #expect(!encoder.spliceAdvisor.splicesSmallRuns)
        #expect(encoder.laneWorkers.map(\.splicedRuns).reduce(0, +) == 0)
    }
}
