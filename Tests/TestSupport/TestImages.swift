import Foundation
import Geometry
import Pixels

/// A small deterministic generator so that failures reproduce from the seed.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in `range`, for property tests.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    public mutating func bool() -> Bool { next() & 1 == 1 }
}

/// Pictures that exercise encoders the way real screens do.
public enum TestImages {
    /// Every pixel independent: the worst case for every encoder.
    public static func random(width: Int, height: Int, seed: UInt64 = 1) -> PixelBuffer {
        var rng = SplitMix(seed: seed)
        var b = PixelBuffer(width: width, height: height)
        for i in 0..<b.pixels.count { b.pixels[i] = UInt32(truncatingIfNeeded: rng.next()) & 0x00ff_ffff }
        return b
    }

    /// A desktop: a flat background, windows with title bars and borders, lines of "text" (runs of
    /// a few colours on a white page), a small gradient and a noisy icon.
    public static func desktop(width: Int, height: Int, seed: UInt64 = 2) -> PixelBuffer {
        var rng = SplitMix(seed: seed)
        var b = PixelBuffer(width: width, height: height, fill: 0x003a6ea5)
        let windows = max(1, (width * height) / 120_000 + 2)
        for _ in 0..<windows {
            let w = Int(rng.next() % UInt64(max(1, width / 2))) + min(width, 40)
            let h = Int(rng.next() % UInt64(max(1, height / 2))) + min(height, 30)
            let x = Int(rng.next() % UInt64(max(1, width))) - w / 4
            let y = Int(rng.next() % UInt64(max(1, height))) - h / 4
            let frame = Rect(x: x, y: y, width: w, height: h)
            b.fill(frame, with: 0x00202020)
            b.fill(Rect(x: x + 1, y: y + 1, width: w - 2, height: 18), with: 0x00355f8c)
            let page = Rect(x: x + 1, y: y + 20, width: w - 2, height: h - 21)
            b.fill(page, with: 0x00ffffff)
            // Text lines: short runs of dark pixels with anti-aliasing greys.
            var ty = page.minY + 4
            while ty + 8 < page.maxY {
                var tx = page.minX + 4
                let lineEnd = page.minX + Int(rng.next() % UInt64(max(1, page.width)))
                while tx < lineEnd {
                    for gy in 0..<8 {
                        let bits = rng.next()
                        for gx in 0..<6 where bits >> UInt64(gx) & 1 == 1 {
                            let shade: UInt32 = (bits >> 10) & 1 == 1 ? 0x00000000 : 0x00888888
                            let px = tx + gx, py = ty + gy
                            if page.contains(Point(x: px, y: py)) && b.bounds.contains(Point(x: px, y: py)) { b[px, py] = shade }
                        }
                    }
                    tx += 7
                }
                ty += 12
            }
        }
        // A gradient strip and an icon of noise.
        let strip = Rect(x: 0, y: max(0, height - 24), width: width, height: min(height, 24))
        for y in strip.minY..<strip.maxY { for x in strip.minX..<strip.maxX { b[x, y] = UInt32(x * 255 / max(1, width - 1)) << 8 | 0x40 } }
        let icon = Rect(x: width / 3, y: height / 3, width: min(32, width), height: min(32, height)).intersection(b.bounds)
        for y in icon.minY..<icon.maxY { for x in icon.minX..<icon.maxX { b[x, y] = UInt32(truncatingIfNeeded: rng.next()) & 0x00ffffff } }
        return b
    }

    /// A photograph stand-in: smooth colour fields with fine grain, so neighbouring pixels differ a
    /// little almost everywhere (what JPEG is for, and what defeats palette encodings).
    public static func photographic(width: Int, height: Int, seed: UInt64 = 3) -> PixelBuffer {
        var rng = SplitMix(seed: seed)
        var b = PixelBuffer(width: width, height: height)
        let fx = Double(rng.next() % 7 + 3) / Double(max(width, 1)), fy = Double(rng.next() % 5 + 2) / Double(max(height, 1))
        for y in 0..<height {
            for x in 0..<width {
                let grain = Double(Int(rng.next() % 9) - 4)
                let dx = Double(x), dy = Double(y)
                let r: Double = 128 + 100 * sin(dx * fx * 6.28) + grain
                let g: Double = 128 + 90 * cos(dy * fy * 6.28 + dx * 0.003) + grain
                let bl: Double = 128 + 80 * sin((dx + dy) * (fx + fy) * 3.14) + grain
                func c(_ v: Double) -> UInt32 { UInt32(max(0, min(255, v))) }
                b[x, y] = c(r) << 16 | c(g) << 8 | c(bl)
            }
        }
        return b
    }

    /// The picture a viewer using `format` would show for `source`: every component reduced to the
    /// format's precision and back (what a pixel-exact comparison must expect).
    public static func quantized(_ source: PixelBuffer, to format: PixelFormat) -> PixelBuffer {
        let t = PixelTranslator(format: format)
        var out = source
        for i in 0..<out.pixels.count {
            out.pixels[i] = PixelTranslator.canonical(fromPixelValue: t.pixelValue(source.pixels[i]), format: format)
        }
        return out
    }

    /// The formats the issue names, plus a big-endian one: every encoder is tested in each.
    public static let formats: [PixelFormat] = [
        .xrgb8888, .rgb565, .bgr233,
        PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: true, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 0, greenShift: 8, blueShift: 16),
        PixelFormat(bitsPerPixel: 16, depth: 15, bigEndian: true, trueColour: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0),
    ]
}

extension TestImages {
    /// The pixels of `area` (clipped to `a`) where the two pictures differ, read one by one: the
    /// brute-force model that the tile comparer and the trimmer are checked against.
    public static func differingPixels(_ a: PixelBuffer, _ b: PixelBuffer, in area: Region) -> [Point] {
        var out: [Point] = []
        for r in area.intersection(a.bounds).rects {
            for y in r.minY..<r.maxY { for x in r.minX..<r.maxX where a[x, y] != b[x, y] { out.append(Point(x: x, y: y)) } }
        }
        return out
    }
}
