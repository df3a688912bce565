import Geometry

/// Draws the demo terminal's character cells (a dark theme with a few ANSI-like colours).
enum DemoTerminalView {
    static let chrome = DemoWindowChrome.dark.titled("user@porthole: ~/porthole")
    static let background: UInt32 = 0x16181d
    private static let palette: [(colour: UInt32, bold: Bool)] = [
        (0xd7dae0, false), // text
        (0x8ae234, true),  // user@host
        (0x729fcf, true),  // path
        (0x729fcf, true),  // directory
        (0xe5c07b, false), // commit hash
        (0x98c379, true),  // success
        (0x8b919c, false), // muted
        (0xe06c75, true),  // warning
        (0x56b6c2, true),  // accent
    ]

    /// Draws the cells of `screen` that meet the canvas's clip.
    static func draw(_ screen: DemoTerminal.Screen, layout: DemoLayout, on canvas: DemoCanvas) {
        guard screen.columns > 0, screen.rows > 0 else { return }
        let origin = layout.terminalCell(column: 0, row: 0)
        let clip = canvas.clip.intersection(DemoLayout.content(of: layout.terminal))
        if clip.isEmpty { return }
        let cw = DemoFont.cellWidth, ch = DemoFont.cellHeight
        let firstRow = max(0, (clip.minY - origin.minY) / ch), lastRow = min(screen.rows - 1, (clip.maxY - 1 - origin.minY) / ch)
        let firstColumn = max(0, (clip.minX - origin.minX) / cw), lastColumn = min(screen.columns - 1, (clip.maxX - 1 - origin.minX) / cw)
        guard firstRow <= lastRow, firstColumn <= lastColumn, clip.maxY > origin.minY, clip.maxX > origin.minX else { return }
        for row in firstRow...lastRow {
            for column in firstColumn...lastColumn {
                let cell = screen.cells[row * screen.columns + column]
                let x = origin.minX + column * cw, y = origin.minY + row * ch
                let style = palette[Int(cell.style & ~DemoTerminal.cursorBit) % palette.count]
                if cell.style & DemoTerminal.cursorBit != 0 {
                    canvas.fill(Rect(x: x, y: y, width: cw, height: ch), 0xd7dae0)
                    canvas.glyph(cell.code, x: x, y: y, background, bold: style.bold)
                } else {
                    canvas.glyph(cell.code, x: x, y: y, style.colour, bold: style.bold)
                }
            }
        }
    }

    /// The cells that differ between two screens of the same shape, as one rectangle per run of
    /// changed cells in a row.
    static func damage(from old: DemoTerminal.Screen, to new: DemoTerminal.Screen, layout: DemoLayout) -> [Rect] {
        guard old.columns == new.columns, old.rows == new.rows else {
            return [DemoLayout.content(of: layout.terminal)]
        }
        var rects: [Rect] = []
        for row in 0..<new.rows {
            var column = 0
            let base = row * new.columns
            while column < new.columns {
                guard old.cells[base + column] != new.cells[base + column] else { column += 1; continue }
                var end = column + 1
                while end < new.columns && old.cells[base + end] != new.cells[base + end] { end += 1 }
                let first = layout.terminalCell(column: column, row: row)
                rects.append(Rect(x: first.minX, y: first.minY, width: (end - column) * DemoFont.cellWidth, height: first.height))
                column = end
            }
        }
        return rects
    }
}
