import Capture
import CTurboJPEG
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// JPEG snapshots: decoded again with libjpeg-turbo, they keep the picture's size and come close to
/// its pixels, closer at higher quality; bad qualities and unwritable paths are refused plainly.
struct JPEGImageTests {
    /// Decodes JFIF bytes to XRGB8888 (the test's own use of libjpeg-turbo's decoder).
    private func decode(_ jpeg: [UInt8]) throws -> PixelBuffer {
        let handle = try #require(tjInitDecompress())
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        try #require(tjDecompressHeader3(handle, jpeg, UInt(jpeg.count), &width, &height, &subsampling, &colourspace) == 0)
        var out = PixelBuffer(width: Int(width), height: Int(height))
        let format = Int32(TJPF_BGRX.rawValue)
        let status = out.pixels.withUnsafeMutableBytes { o in
            tjDecompress2(handle, jpeg, UInt(jpeg.count), o.bindMemory(to: UInt8.self).baseAddress, width, width * 4, height, format, 0)
        }
        try #require(status == 0)
        out.pixels.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] &= 0x00ff_ffff } }
        return out
    }

    /// Peak signal-to-noise ratio over the three channels, in dB (infinite for equal pictures).
    private func psnr(_ a: PixelBuffer, _ b: PixelBuffer) -> Double {
        var sum = 0.0
        for (p, q) in zip(a.pixels, b.pixels) {
            for shift in [0, 8, 16] as [UInt32] {
                let d = Double(Int((p >> shift) & 0xff) - Int((q >> shift) & 0xff))
                sum += d * d
            }
        }
        let mse = sum / Double(a.pixels.count * 3)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    @Test func aPictureComesBackCloseAndCloserAtHigherQuality() throws {
        let picture = TestImages.photographic(width: 203, height: 117)
        let high = try decode(try JPEGImage.encode(picture, quality: 95))
        let low = try decode(try JPEGImage.encode(picture, quality: 20))
        #expect(high.size == picture.size && low.size == picture.size)
        let highPSNR = psnr(picture, high), lowPSNR = psnr(picture, low)
        #expect(highPSNR > 38, "quality 95: \(highPSNR) dB")
        #expect(lowPSNR < highPSNR - 3, "quality 20: \(lowPSNR) dB against \(highPSNR)")
    }

    /// Full-resolution chroma: a one-pixel red line on black stays red, not a smear of pink.
    @Test func thinColouredLinesKeepTheirColour() throws {
        var picture = PixelBuffer(width: 64, height: 32)
        picture.fill(Rect(x: 0, y: 15, width: 64, height: 1), with: 0xff_0000)
        let back = try decode(try JPEGImage.encode(picture, quality: 95))
        let red = back[32, 15]
        #expect((red >> 16) & 0xff > 200 && (red >> 8) & 0xff < 60 && red & 0xff < 60, "\(String(red, radix: 16))")
    }

    @Test func qualitiesOutsideTheRangeAndEmptyPicturesAreRefused() {
        let picture = TestImages.desktop(width: 16, height: 16)
        #expect(throws: JPEGError.self) { try JPEGImage.encode(picture, quality: 0) }
        #expect(throws: JPEGError.self) { try JPEGImage.encode(picture, quality: 101) }
        #expect(throws: JPEGError.self) { try JPEGImage.encode(PixelBuffer(width: 0, height: 5), quality: 90) }
    }

    @Test func anUnwritablePathSaysWhy() {
        let picture = TestImages.desktop(width: 16, height: 16)
        do {
            try JPEGImage.save(picture, to: "/nonexistent-porthole-dir/shot.jpg", quality: 90)
            Issue.record("saved into a missing directory")
        } catch {
            #expect(error.description == "/nonexistent-porthole-dir/shot.jpg: cannot write: No such file or directory")
        }
    }
}
