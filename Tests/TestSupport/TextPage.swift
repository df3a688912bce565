import Geometry
import Pixels

/// Lines of "text" like a terminal or an editor shows: dark glyphs from a small font on a white
/// page, so glyphs (and rows of pixels) repeat the way they do on real screens. Scroll tests and
/// benchmarks draw with it.
public struct TextPage {
    public static let lineHeight = 20
    public static let background: UInt32 = 0x00ff_ffff
    /// 48 glyphs of 6 to 9 by 14 pixels, each pixel ink or paper.
    private let glyphs: [(width: Int, ink: [Bool])]
    private var rng: SplitMix

    public init(seed: UInt64) {
        var fontRng = SplitMix(seed: 0xF0_47)
        glyphs = (0..<48).map { _ in
            let width = fontRng.int(6...9)
            return (width, (0..<(width * 14)).map { _ in fontRng.int(0...2) == 0 })
        }
        rng = SplitMix(seed: seed)
    }

    /// A page of `width`x`height` full of lines.
    public mutating func page(width: Int, height: Int) -> PixelBuffer {
        var buffer = PixelBuffer(width: width, height: height, fill: Self.background)
        var y = 0
        while y < height {
            drawLine(into: &buffer, in: Rect(x: 0, y: y, width: width, height: Self.lineHeight))
            y += Self.lineHeight
        }
        return buffer
    }

    /// Clears `rect` to the page colour and writes one line of words in it (clipped to it).
    public mutating func drawLine(into buffer: inout PixelBuffer, in rect: Rect) {
        buffer.fill(rect, with: Self.background)
        let area = rect.intersection(buffer.bounds)
        var x = rect.minX + 4
        let end = rect.minX + rng.int((rect.width / 3)...max(rect.width / 3, rect.width - 4))
        let ink: UInt32 = rng.int(0...3) == 0 ? 0x0000_3399 : 0x0020_2020
        while x < end {
            for _ in 0..<rng.int(2...9) {
                let glyph = glyphs[rng.int(0...(glyphs.count - 1))]
                for gy in 0..<14 {
                    for gx in 0..<glyph.width where glyph.ink[gy * glyph.width + gx] {
                        let p = Point(x: x + gx, y: rect.minY + 3 + gy)
                        if area.contains(p) && p.x < end { buffer[p.x, p.y] = ink }
                    }
                }
                x += glyph.width + 1
            }
            x += 7
        }
    }
}
