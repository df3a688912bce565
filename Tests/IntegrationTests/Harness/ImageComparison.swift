import Foundation
import Pixels

/// How two pictures differ, in a form a failing test can print usefully.
struct ImageComparison: CustomStringConvertible {
    let expectedSize: (Int, Int)
    let actualSize: (Int, Int)
    let differingPixels: Int
    /// The first differing pixel in reading order, with both colours as `0xRRGGBB`.
    let firstDifference: (x: Int, y: Int, expected: UInt32, actual: UInt32)?
    let format: PixelFormat
    let toleranceSteps: Int

    var sizesMatch: Bool { expectedSize == actualSize }
    var isIdentical: Bool { sizesMatch && differingPixels == 0 }

    var description: String {
        guard sizesMatch else {
            return "size differs: expected \(expectedSize.0)x\(expectedSize.1), got \(actualSize.0)x\(actualSize.1)"
        }
        let within = toleranceSteps == 0 ? "" : " (beyond \(toleranceSteps) step(s) per component)"
        guard let first = firstDifference else { return "identical in \(format)\(within)" }
        let hex = { (v: UInt32) in "#" + String(format: "%06x", v) }
        return "\(differingPixels) of \(expectedSize.0 * expectedSize.1) pixels differ in \(format)\(within); first at " +
            "(\(first.x), \(first.y)): expected \(hex(first.expected)), got \(hex(first.actual))"
    }

    /// Compares pixel for pixel as seen through `format`: two pixels are equal when they map to the
    /// same pixel value of that format. For 24-bit formats that is exact equality. For 16- and 8-bit
    /// formats it compares what went over the wire while ignoring how each viewer widens a 5-bit
    /// or 3-bit component back to 8 bits for display (PIL and TigerVNC widen differently), which
    /// is the viewer's business and not the server's.
    ///
    /// `toleranceSteps` allows each component to be that many steps of the format apart: only for
    /// servers nobody here wrote, since RFC 6143 leaves open how a server rounds 8-bit components
    /// down to fewer bits (Porthole's own rounding is pinned by `TestImages.quantized`).
    init(expected: PixelBuffer, actual: PixelBuffer, in format: PixelFormat = .xrgb8888, toleranceSteps: Int = 0) {
        self.format = format
        self.toleranceSteps = toleranceSteps
        expectedSize = (expected.width, expected.height)
        actualSize = (actual.width, actual.height)
        guard expectedSize == actualSize else {
            differingPixels = max(expected.pixels.count, actual.pixels.count); firstDifference = nil; return
        }
        let translator = PixelTranslator(format: format)
        let exact = format.redMax == 255 && format.greenMax == 255 && format.blueMax == 255
        var count = 0
        var first: (x: Int, y: Int, expected: UInt32, actual: UInt32)?
        for i in 0..<expected.pixels.count {
            let e = expected.pixels[i] & 0xffffff, a = actual.pixels[i] & 0xffffff
            let same: Bool
            if toleranceSteps == 0 {
                same = exact ? e == a : translator.pixelValue(e) == translator.pixelValue(a)
            } else {
                let ve = translator.pixelValue(e), va = translator.pixelValue(a)
                same = [(format.redMax, format.redShift), (format.greenMax, format.greenShift), (format.blueMax, format.blueShift)]
                    .allSatisfy { maxValue, shift in
                        let ce = Int(ve >> UInt32(shift) & UInt32(maxValue)), ca = Int(va >> UInt32(shift) & UInt32(maxValue))
                        return abs(ce - ca) <= toleranceSteps
                    }
            }
            if !same {
                count += 1
                if first == nil { first = (i % expected.width, i / expected.width, e, a) }
            }
        }
        differingPixels = count
        firstDifference = first
    }

    /// Peak signal-to-noise ratio over the red, green and blue samples, in dB (infinity when the
    /// pictures are identical): the measure for lossy (JPEG) captures, where equality is impossible.
    static func psnr(_ expected: PixelBuffer, _ actual: PixelBuffer) -> Double {
        precondition(expected.size == actual.size)
        var squaredError = 0.0
        for i in 0..<expected.pixels.count {
            let e = expected.pixels[i], a = actual.pixels[i]
            for shift: UInt32 in [16, 8, 0] {
                let d = Double(Int(e >> shift & 0xff) - Int(a >> shift & 0xff))
                squaredError += d * d
            }
        }
        let meanSquaredError = squaredError / Double(expected.pixels.count * 3)
        return meanSquaredError == 0 ? .infinity : 10 * log10(255 * 255 / meanSquaredError)
    }
}
