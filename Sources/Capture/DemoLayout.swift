import Geometry

/// Where everything on the demo desktop goes for one screen size. Windows are placed by fractions
/// of the size, so any size from tiny to 4K gets a sensible arrangement (a tiny one mostly shows
/// the corners of windows, which is fine).
struct DemoLayout: Equatable, Sendable {
    static let panelHeight = 30
    static let titleBarHeight = 34
    static let cornerRadius = 10
    static let shadowSpread = 14
    static let shadowDrop = 4
    /// Terminal text inset from the content area.
    static let terminalPadding = Point(x: 10, y: 6)

    let size: Size
    let panel: Rect
    /// The screen below the panel, where windows live and the sliding window roams.
    let desktop: Rect
    let editor: Rect
    let terminal: Rect
    let monitor: Rect
    /// The sliding window's size; its position is a function of time (`photoOrigin`).
    let photoSize: Size
    let terminalColumns: Int
    let terminalRows: Int

    init(size: Size) {
        self.size = size
        let w = Double(size.width), h = Double(size.height)
        let top = min(size.height, Self.panelHeight)
        panel = Rect(x: 0, y: 0, width: size.width, height: top)
        desktop = Rect(minX: 0, minY: top, maxX: size.width, maxY: size.height)
        func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, minWidth: Int, minHeight: Int) -> Rect {
            Rect(x: Int(x * w), y: top + Int(y * h),
                 width: max(minWidth, Int(width * w)), height: max(minHeight, Int(height * h)))
        }
        editor = rect(0.50, 0.04, 0.46, 0.56, minWidth: 120, minHeight: 80)
        terminal = rect(0.04, 0.07, 0.42, 0.52, minWidth: 120, minHeight: 80)
        monitor = rect(0.56, 0.55, 0.34, 0.34, minWidth: 120, minHeight: 80)
        photoSize = Size(width: max(100, Int(0.22 * w)), height: max(80, Int(0.27 * h)))
        let textArea = Self.content(of: terminal)
        terminalColumns = max(0, (textArea.width - 2 * Self.terminalPadding.x) / DemoFont.cellWidth)
        terminalRows = max(0, (textArea.height - 2 * Self.terminalPadding.y) / DemoFont.cellHeight)
    }

    /// The part of a window below its title bar.
    static func content(of window: Rect) -> Rect {
        Rect(minX: window.minX, minY: window.minY + titleBarHeight, maxX: window.maxX, maxY: window.maxY)
    }

    /// Everything a window paints, its shadow included.
    static func extent(of window: Rect) -> Rect {
        Rect(minX: window.minX - shadowSpread, minY: window.minY - shadowSpread,
             maxX: window.maxX + shadowSpread, maxY: window.maxY + shadowSpread + shadowDrop)
    }

    /// The window's pixels that show nothing from below (all but the rounded corners).
    static func opaqueParts(of window: Rect) -> (Rect, Rect) {
        let r = cornerRadius
        return (Rect(minX: window.minX, minY: window.minY + r, maxX: window.maxX, maxY: window.maxY - r),
                Rect(minX: window.minX + r, minY: window.minY, maxX: window.maxX - r, maxY: window.maxY))
    }

    /// The four corner squares, where the desktop below shows through the rounding.
    static func corners(of window: Rect) -> [Rect] {
        let r = cornerRadius
        return [Rect(x: window.minX, y: window.minY, width: r, height: r),
                Rect(x: window.maxX - r, y: window.minY, width: r, height: r),
                Rect(x: window.minX, y: window.maxY - r, width: r, height: r),
                Rect(x: window.maxX - r, y: window.maxY - r, width: r, height: r)]
    }

    /// The top-left of the terminal character cell at `column`, `row`.
    func terminalCell(column: Int, row: Int) -> Rect {
        let area = Self.content(of: terminal)
        return Rect(x: area.minX + Self.terminalPadding.x + column * DemoFont.cellWidth,
                    y: area.minY + Self.terminalPadding.y + row * DemoFont.cellHeight,
                    width: DemoFont.cellWidth, height: DemoFont.cellHeight)
    }

    /// The clock's first character cell; the clock is centred in the panel.
    var clockOrigin: Point {
        Point(x: (size.width - DemoFont.width(8)) / 2, y: (panel.height - DemoFont.cellHeight) / 2)
    }

    /// The sliding window's top-left at `time`: it bounces between the desktop's edges, diagonally
    /// and at a steady speed, so every frame moves it by a few pixels.
    func photoOrigin(at time: Double) -> Point {
        func bounce(_ range: Int, speed: Double) -> Int {
            guard range > 0 else { return 0 }
            let span = Double(2 * range)
            var p = (time * speed).truncatingRemainder(dividingBy: span)
            if p < 0 { p += span }
            let v = p < Double(range) ? p : span - p
            return Int(v.rounded())
        }
        let xRange = desktop.width - photoSize.width, yRange = desktop.height - photoSize.height
        return Point(x: desktop.minX + bounce(xRange, speed: 96), y: desktop.minY + bounce(yRange, speed: 54))
    }
}
