import Geometry

/// The top panel: an activities label on the left, the clock in the middle, the screen size and
/// status icons on the right. Only the clock's digits ever change.
enum DemoPanel {
    private static let background: UInt32 = 0x0b0c10
    private static let text: UInt32 = 0xe4e6eb
    private static let muted: UInt32 = 0x9aa0aa

    static func draw(_ state: DemoState, layout: DemoLayout, on canvas: DemoCanvas) {
        let panel = layout.panel
        let c = canvas.clipped(to: panel)
        if c.clip.isEmpty { return }
        c.fill(panel, background)
        let y = (panel.height - DemoFont.cellHeight) / 2
        c.disc(centreX: 18, centreY: Double(panel.height) / 2, radius: 5, 0x3daee9)
        c.text("Activities", x: 32, y: y, text, bold: true)
        let clock = layout.clockOrigin
        for (i, code) in state.clock.enumerated() {
            c.glyph(code, x: clock.x + i * DemoFont.cellWidth, y: clock.y, text, bold: true)
        }
        // Status area: screen size, signal bars and a battery.
        let right = panel.maxX - 14
        let battery = Rect(x: right - 24, y: panel.height / 2 - 6, width: 22, height: 12)
        c.roundedRect(battery, radius: 3, muted)
        c.fill(Rect(x: battery.minX + 1, y: battery.minY + 1, width: battery.width - 2, height: battery.height - 2), background)
        c.fill(Rect(x: battery.minX + 3, y: battery.minY + 3, width: 13, height: battery.height - 6), text)
        c.fill(Rect(x: battery.maxX, y: battery.minY + 4, width: 2, height: 4), muted)
        for i in 0..<4 {
            let h = 4 + 3 * i
            c.fill(Rect(x: battery.minX - 40 + 6 * i, y: battery.maxY - h, width: 4, height: h), i < 3 ? text : muted)
        }
        let size = "\(layout.size.width)x\(layout.size.height)"
        c.text(size, x: battery.minX - 56 - DemoFont.width(size.count), y: y, muted)
    }

    /// The cells of the clock whose digit differs between two states.
    static func damage(from old: DemoState, to new: DemoState, layout: DemoLayout) -> [Rect] {
        let origin = layout.clockOrigin
        return zip(old.clock, new.clock).enumerated().compactMap { i, pair in
            pair.0 == pair.1 ? nil
                : Rect(x: origin.x + i * DemoFont.cellWidth, y: origin.y, width: DemoFont.cellWidth, height: DemoFont.cellHeight)
        }
    }
}
