import Geometry

/// The frame every demo window shares: drop shadow, rounded body, title bar with a centred bold
/// title and three coloured buttons on the left.
struct DemoWindowChrome {
    var title: String
    var titleBar: UInt32
    var titleText: UInt32
    var body: UInt32

    static let dark = DemoWindowChrome(title: "", titleBar: 0x2b2d33, titleText: 0xe4e6eb, body: 0x1c1e24)
    static let light = DemoWindowChrome(title: "", titleBar: 0xe8e8ea, titleText: 0x2f3033, body: 0xfafafa)

    func titled(_ t: String) -> DemoWindowChrome { var c = self; c.title = t; return c }

    /// Draws the shadow and the frame of `window`; the caller then fills the content area.
    func draw(_ window: Rect, on canvas: DemoCanvas) {
        canvas.dropShadow(window, spread: DemoLayout.shadowSpread, drop: DemoLayout.shadowDrop, maxAlpha: 110)
        let bar = Rect(x: window.minX, y: window.minY, width: window.width, height: min(window.height, DemoLayout.titleBarHeight))
        canvas.roundedRect(bar, radius: DemoLayout.cornerRadius, titleBar, bottom: false)
        canvas.roundedRect(DemoLayout.content(of: window), radius: DemoLayout.cornerRadius, body, top: false)
        let inner = canvas.clipped(to: window)
        inner.fill(Rect(x: bar.minX, y: bar.maxY - 1, width: bar.width, height: 1), DemoColour.mix(titleBar, 0, 40))
        let cy = Double(bar.minY) + Double(DemoLayout.titleBarHeight) / 2
        for (i, colour) in [UInt32(0xff5f57), 0xfebc2e, 0x28c840].enumerated() {
            inner.disc(centreX: Double(bar.minX + 20 + 20 * i), centreY: cy, radius: 6, colour)
        }
        let textWidth = DemoFont.width(title.utf8.count)
        let tx = max(bar.minX + 80, bar.minX + (bar.width - textWidth) / 2)
        inner.clipped(to: Rect(minX: bar.minX, minY: bar.minY, maxX: bar.maxX - 12, maxY: bar.maxY))
            .text(title, x: tx, y: bar.minY + (bar.height - DemoFont.cellHeight) / 2, titleText, bold: true)
    }
}
