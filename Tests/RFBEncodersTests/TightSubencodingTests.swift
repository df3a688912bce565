import Testing
import NIOCore
import Geometry
import Pixels
import RFB
@testable import RFBEncoders
import RFBClient
import PortholeTestSupport
import ZlibStreams

/// Which Tight method the encoder picks for which content, JPEG quality, and the wire details
/// (compact lengths, the 12-byte rule).
struct TightSubencodingTests {
    static let photo = TestImages.photographic(width: 256, height: 192)

    @Test(arguments: 5...9)
    func photographsGoToJPEGWithAQualityLevel(level: Int) throws {
        for format in [PixelFormat.xrgb8888, TestImages.formats[3], .rgb565] {
            var h = TightHarness(size: Self.photo.size, qualityLevel: level)
            let rects = try h.roundTrip(Self.photo.bounds, of: Self.photo, format: format)
            #expect(rects.allSatisfy { $0.control == 0x90 }, "\(rects.map(\.control))")
            let psnr = h.psnr(Self.photo.bounds, of: TestImages.quantized(Self.photo, to: format))
            #expect(psnr >= 30, "PSNR \(psnr) dB at quality level \(level) in \(format)")
        }
    }

    @Test func lowQualityLevelsStillDecode() throws {
        for level in 0...4 {
            var h = TightHarness(size: Self.photo.size, qualityLevel: level)
            let rects = try h.roundTrip(Self.photo.bounds, of: Self.photo, format: .xrgb8888)
            #expect(rects.allSatisfy { $0.control == 0x90 })
            #expect(h.psnr(Self.photo.bounds, of: Self.photo) >= 20)
        }
    }

    @Test func flatAndFewColourContentStaysLosslessWithJPEGOn() throws {
        let solid = TestPicture.solid.make(Size(width: 100, height: 60))
        var h = TightHarness(size: solid.size, qualityLevel: 5)
        #expect(try h.roundTrip(solid.bounds, of: solid, format: .xrgb8888).map(\.control) == [0x80])

        let text = TestPicture.twoColour.make(Size(width: 100, height: 60))
        h = TightHarness(size: text.size, qualityLevel: 5)
        let mono = try h.roundTrip(text.bounds, of: text, format: .xrgb8888)
        #expect(mono.map(\.control) == [0x50] && mono.map(\.filter) == [1])
        h.expectExact(text.bounds, of: text, format: .xrgb8888)

        var few = PixelBuffer(width: 100, height: 60)
        for i in 0..<few.pixels.count { few.pixels[i] = [0x00ff_0000, 0x0000_ff00, 0x0000_00ff, 0x00ff_ffff, 0][(i * 7 / 3) % 5] }
        h = TightHarness(size: few.size, qualityLevel: 9)
        let indexed = try h.roundTrip(few.bounds, of: few, format: .xrgb8888)
        #expect(indexed.map(\.control) == [0x60] && indexed.map(\.filter) == [1])
        h.expectExact(few.bounds, of: few, format: .xrgb8888)
    }

    @Test func withoutAQualityLevelNothingIsLossy() throws {
        for format in TestImages.formats {
            var h = TightHarness(size: Self.photo.size)
            let rects = try h.roundTrip(Self.photo.bounds, of: Self.photo, format: format)
            #expect(!rects.contains { $0.control >> 4 == 9 })
            h.expectExact(Self.photo.bounds, of: Self.photo, format: format)
            if format.bitsPerPixel == 32 {
                // Smooth content takes the gradient filter on stream 3.
                #expect(rects.allSatisfy { $0.control == 0x70 && $0.filter == 2 }, "\(rects.map(\.control))")
            }
        }
        let noise = TestImages.random(width: 64, height: 64)
        var h = TightHarness(size: noise.size)
        #expect(try h.roundTrip(noise.bounds, of: noise, format: .xrgb8888).map(\.control) == [0x00])
    }

    @Test func gradientBeatsCopyOnPhotographs() {
        var h = TightHarness(size: Self.photo.size)
        let gradient = h.encode(Self.photo.bounds, of: Self.photo, format: .xrgb8888).0.readableBytes
        // The CopyFilter's data for the same pixels, through a zlib stream at the same level.
        var copyData: [UInt8] = []
        for p in Self.photo.pixels { copyData += [UInt8(p >> 16 & 0xff), UInt8(p >> 8 & 0xff), UInt8(p & 0xff)] }
        var compressed: [UInt8] = []
        DeflateStream(level: TightEncoder.zlibLevels[TightEncoder.defaultCompressLevel].fullColour)
            .compress(copyData, appendingTo: &compressed)
        #expect(gradient < compressed.count * 9 / 10, "gradient \(gradient) bytes, copy \(compressed.count)")
    }

    @Test func smallRectsStayLosslessWithJPEGOn() throws {
        let noise = TestImages.random(width: 30, height: 30)
        var h = TightHarness(size: noise.size, qualityLevel: 5)
        #expect(try h.roundTrip(noise.bounds, of: noise, format: .xrgb8888).map(\.control) == [0x00])
        h.expectExact(noise.bounds, of: noise, format: .xrgb8888)
    }

    @Test func eightBitsPerPixelNeverUsesJPEGOrGradient() throws {
        var h = TightHarness(size: Self.photo.size, qualityLevel: 8)
        let rects = try h.roundTrip(Self.photo.bounds, of: Self.photo, format: .bgr233)
        #expect(rects.allSatisfy { $0.control >> 4 != 9 && $0.filter != 2 })
        h.expectExact(Self.photo.bounds, of: Self.photo, format: .bgr233)
    }

    @Test func qualityLevelCanBeChangedAndTurnedOff() throws {
        var h = TightHarness(size: Self.photo.size)
        h.encoder.setQualityLevel(7)
        #expect(h.encoder.qualityLevel == 7)
        #expect(try h.roundTrip(Self.photo.bounds, of: Self.photo, format: .xrgb8888).allSatisfy { $0.control == 0x90 })
        h.encoder.setQualityLevel(nil)
        #expect(try h.roundTrip(Self.photo.bounds, of: Self.photo, format: .xrgb8888).allSatisfy { $0.control >> 4 != 9 })
        h.expectExact(Self.photo.bounds, of: Self.photo, format: .xrgb8888)
        h.encoder.setQualityLevel(42)
        #expect(h.encoder.qualityLevel == 9)
    }

    @Test func compactLengths() {
        for (value, bytes) in [(0, [0x00]), (127, [0x7f]), (128, [0x80, 0x01]), (10000, [0x90, 0x4e]),
                               (16383, [0xff, 0x7f]), (16384, [0x80, 0x80, 0x01]), (4_194_303, [0xff, 0xff, 0xff])] {
            var out = ByteBuffer()
            TightEncoder.writeCompactLength(value, into: &out)
            #expect(Array(out.readableBytesView) == bytes.map(UInt8.init), "\(value)")
        }
    }

    @Test func dataUnderTwelveBytesIsSentAsIs() throws {
        // 2x2 of two colours: 2 bytes of 1-bit rows, no compact length, no zlib.
        var two = PixelBuffer(width: 2, height: 2, fill: 0x00ff_ffff)
        two[1, 0] = 0
        var h = TightHarness(size: two.size)
        let (wire, count) = h.encode(two.bounds, of: two, format: .xrgb8888)
        #expect(count == 1)
        #expect(Array(wire.readableBytesView.dropFirst(12)) == [0x50, 0x01, 0x01, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x40, 0x00])
        _ = try h.decode(wire, count: count, format: .xrgb8888)
        h.expectExact(two.bounds, of: two, format: .xrgb8888)
    }
}
