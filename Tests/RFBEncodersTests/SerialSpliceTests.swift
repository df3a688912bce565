import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
@testable import RFBEncoders
import Testing

/// Serial ZRLE rectangles splice their runs of `ZRLESplice.minimumSerialBytes` or more through
/// libdeflate while their own trials show it costs next to nothing (`ZRLEEncoder`'s serial
/// advisor), and the viewer reads the spliced chunks, and the zlib chunks after them, exactly.
struct SerialSpliceTests {
    static let translator = PixelTranslator(format: .xrgb8888)

    /// Encodes `rects` of `source` serially as one update and has `viewer` apply it.
    static func send(_ rects: [Rect], of source: PixelBuffer, with encoder: inout ZRLEEncoder,
                     to viewer: inout UpdateViewer, byteByByte: Bool = false) throws {
        var out = ByteBuffer()
        var count = 0
        for rect in rects {
            count += source.withView { encoder.encode(rect, of: $0, translator: translator, into: &out) }
        }
        _ = try viewer.apply(ZRLESpliceTests.message(count, out), byteByByte: byteByByte)
    }

    /// Pixels that differ (a count, so that a failure does not print whole pictures).
    static func wrongPixels(_ shown: PixelBuffer, _ expected: PixelBuffer) -> Int {
        zip(shown.pixels, expected.pixels).count { $0 != $1 } + abs(shown.pixels.count - expected.pixels.count)
    }

    /// A strip of new text each update (a document scrolled with CopyRect: about 3 KiB of palette
    /// tiles), then a small stamp that stays on zlib and restarts after the strip's splice.
    @Test func newTextStripsSpliceAfterTheWarmUpAndDecodeExactly() throws {
        let size = Size(width: 512, height: 64)
        var source = PixelBuffer(width: size.width, height: size.height, fill: 0x00ffffff)
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        let strip = Rect(x: 0, y: 0, width: 512, height: 24), stamp = Rect(x: 8, y: 40, width: 24, height: 8)
        var splicedRuns: [Int] = []
        for step in 0..<12 {
            source.blit(SpliceAdvisorTests.textPage(strip.size, seed: UInt64(40 + step)), at: strip.origin)
            source.blit(SpliceAdvisorTests.textPage(stamp.size, seed: UInt64(step % 3)), at: stamp.origin)
            // The first update brings the whole picture.
            let rects = step == 0 ? [Rect(origin: .zero, size: size)] : [strip, stamp]
            try Self.send(rects, of: source, with: &encoder, to: &viewer, byteByByte: step == 11)
            #expect(Self.wrongPixels(viewer.framebuffer, source) == 0, "step \(step)")
            splicedRuns.append(encoder.serialSplicedRuns)
        }
        #expect(encoder.serialSpliceAdvisor.splicesSmallRuns)
        #expect(splicedRuns[SpliceAdvisor.warmUpTrials - 1] == 0, "the warm-up only tries: \(splicedRuns)")
        #expect(splicedRuns.last! >= 5, "strips spliced after the warm-up: \(splicedRuns)")
    }

    /// The same strip again and again: zlib sends it from its history in a few bytes, libdeflate
    /// would send it whole, so the strips stay on zlib.
    @Test func repeatedStripsKeepZlib() throws {
        let size = Size(width: 512, height: 24)
        let source = SpliceAdvisorTests.textPage(size, seed: 3)
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        for step in 0..<12 {
            try Self.send([Rect(origin: .zero, size: size)], of: source, with: &encoder, to: &viewer)
            #expect(Self.wrongPixels(viewer.framebuffer, source) == 0, "step \(step)")
        }
        #expect(encoder.serialSpliceAdvisor.trials >= SpliceAdvisor.warmUpTrials)
        #expect(!encoder.serialSpliceAdvisor.splicesSmallRuns)
        #expect(encoder.serialSplicedRuns == 0)
    }

    /// A band of 25 KiB whose compressible runs are small: two-colour text tiles (519 bytes each)
    /// between tiles of noise, which are stored. Below `ZRLESplice.minimumSerialBytes` a run is
    /// never even tried.
    @Test func runsBelowTheSerialMinimumAreNeverTried() throws {
        let size = Size(width: 256, height: 64)
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        for step in 0..<8 {
            var source = SpliceAdvisorTests.textPage(size, seed: UInt64(60 + step))
            for i in 0..<source.pixels.count where source.pixels[i] != 0x00ffffff { source.pixels[i] = 0 }
            for x in stride(from: 0, to: size.width, by: 128) {
                source.blit(TestImages.random(width: 64, height: 64, seed: UInt64(100 + step * 10 + x)), at: Point(x: x, y: 0))
            }
            try Self.send([Rect(origin: .zero, size: size)], of: source, with: &encoder, to: &viewer)
            #expect(Self.wrongPixels(viewer.framebuffer, source) == 0, "step \(step)")
            #expect(encoder.lastStoredBytes >= 2 * 64 * 64 * 3, "the noise tiles are stored, the text runs between them small")
        }
        #expect(encoder.serialSpliceAdvisor.trials == 0)
        #expect(encoder.serialSplicedRuns == 0)
    }
}
