import Geometry

/// The demo desktop's monospaced bitmap font (DejaVu Sans Mono, regular and bold, 9x18 cells,
/// printable ASCII), decoded once from `DemoFontData` into 8-bit alpha.
enum DemoFont {
    static let cellWidth = DemoFontData.cellWidth
    static let cellHeight = DemoFontData.cellHeight
    static let regular = decode(DemoFontData.regular)
    static let bold = decode(DemoFontData.bold)

    /// One alpha byte per pixel, glyph after glyph, for the 95 codes 0x20...0x7E.
    private static func decode(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(95 * cellWidth * cellHeight)
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: continue
            }
            out.append(v * 17)
        }
        precondition(out.count == 95 * cellWidth * cellHeight, "DemoFontData is malformed")
        return out
    }

    /// The width in pixels of `count` characters.
    static func width(_ count: Int) -> Int { count * cellWidth }
}

extension DemoCanvas {
    /// Draws one character cell's glyph (anti-aliased, background left as it is). Codes outside
    /// printable ASCII draw as `?`.
    func glyph(_ code: UInt8, x: Int, y: Int, _ colour: UInt32, bold: Bool = false) {
        let cell = Rect(x: x, y: y, width: DemoFont.cellWidth, height: DemoFont.cellHeight)
        let r = cell.intersection(clip)
        if r.isEmpty || code == 0x20 { return }
        let index = (0x20...0x7E).contains(code) ? Int(code) - 0x20 : Int(UInt8(ascii: "?")) - 0x20
        let glyphSize = DemoFont.cellWidth * DemoFont.cellHeight
        let font = bold ? DemoFont.bold : DemoFont.regular
        font.withUnsafeBufferPointer { alpha in
            let g = alpha.baseAddress! + index * glyphSize
            for py in r.minY..<r.maxY {
                let src = g + (py - y) * DemoFont.cellWidth - x
                let p = row(py)
                for px in r.minX..<r.maxX {
                    let a = src[px]
                    if a == 255 { p[px] = colour } else if a > 0 { p[px] = DemoColour.mix(p[px], colour, Int(a)) }
                }
            }
        }
    }

    /// Draws ASCII `text` with its first cell's top-left at (`x`, `y`), skipping cells outside the
    /// clip without touching their glyphs.
    func text(_ text: String, x: Int, y: Int, _ colour: UInt32, bold: Bool = false) {
        if y >= clip.maxY || y + DemoFont.cellHeight <= clip.minY { return }
        var cx = x
        for c in text.utf8 {
            if cx >= clip.maxX { return }
            if cx + DemoFont.cellWidth > clip.minX { glyph(c, x: cx, y: y, colour, bold: bold) }
            cx += DemoFont.cellWidth
        }
    }
}
