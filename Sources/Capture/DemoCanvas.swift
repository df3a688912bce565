import Geometry

/// A drawing surface over a frame's pixels that never writes outside `clip`.
///
/// Every primitive colours a pixel as a pure function of its absolute position and the shape's
/// geometry, never of the clip. That is what lets the demo desktop redraw any damaged rectangle on
/// its own and get exactly the pixels a full redraw would give.
struct DemoCanvas {
    let base: UnsafeMutablePointer<UInt32>
    let width: Int
    let height: Int
    /// The writable area; always inside the surface.
    private(set) var clip: Rect

    init(base: UnsafeMutablePointer<UInt32>, width: Int, height: Int, clip: Rect) {
        self.base = base; self.width = width; self.height = height
        self.clip = clip.intersection(Rect(x: 0, y: 0, width: width, height: height))
    }

    /// The same surface with the clip narrowed to `rect`.
    func clipped(to rect: Rect) -> DemoCanvas {
        var c = self
        c.clip = clip.intersection(rect)
        return c
    }

    @inline(__always) func row(_ y: Int) -> UnsafeMutablePointer<UInt32> { base + y * width }

    func fill(_ rect: Rect, _ colour: UInt32) {
        let r = rect.intersection(clip)
        if r.isEmpty { return }
        for y in r.minY..<r.maxY { (row(y) + r.minX).update(repeating: colour, count: r.width) }
    }

    /// Mixes `colour` over `rect` with opacity `alpha` (0...255).
    func blend(_ rect: Rect, _ colour: UInt32, alpha: Int) {
        let r = rect.intersection(clip)
        if r.isEmpty || alpha <= 0 { return }
        if alpha >= 255 { fill(r, colour); return }
        for y in r.minY..<r.maxY {
            let p = row(y)
            for x in r.minX..<r.maxX { p[x] = DemoColour.mix(p[x], colour, alpha) }
        }
    }

    /// Fills every pixel of `rect` with `shade(x, y)`.
    func shade(_ rect: Rect, _ shade: (Int, Int) -> UInt32) {
        let r = rect.intersection(clip)
        if r.isEmpty { return }
        for y in r.minY..<r.maxY {
            let p = row(y)
            for x in r.minX..<r.maxX { p[x] = shade(x, y) }
        }
    }

    /// A rectangle with anti-aliased corners of `radius` pixels (only the top or bottom pair when
    /// the other is turned off), blended over what is below at the corners.
    func roundedRect(_ rect: Rect, radius: Int, _ colour: UInt32, top: Bool = true, bottom: Bool = true) {
        let rad = max(0, min(radius, rect.width / 2, rect.height / 2))
        if rad == 0 { fill(rect, colour); return }
        let topRad = top ? rad : 0, bottomRad = bottom ? rad : 0
        fill(Rect(minX: rect.minX + topRad, minY: rect.minY, maxX: rect.maxX - topRad, maxY: rect.minY + topRad), colour)
        fill(Rect(minX: rect.minX, minY: rect.minY + topRad, maxX: rect.maxX, maxY: rect.maxY - bottomRad), colour)
        fill(Rect(minX: rect.minX + bottomRad, minY: rect.maxY - bottomRad, maxX: rect.maxX - bottomRad, maxY: rect.maxY), colour)
        var corners: [Rect] = []
        if top {
            corners.append(Rect(x: rect.minX, y: rect.minY, width: rad, height: rad))
            corners.append(Rect(x: rect.maxX - rad, y: rect.minY, width: rad, height: rad))
        }
        if bottom {
            corners.append(Rect(x: rect.minX, y: rect.maxY - rad, width: rad, height: rad))
            corners.append(Rect(x: rect.maxX - rad, y: rect.maxY - rad, width: rad, height: rad))
        }
        let r = Double(rad)
        for corner in corners {
            // The centre of the corner's circle, in pixel-centre coordinates.
            let cx = corner.minX == rect.minX ? Double(rect.minX) + r : Double(rect.maxX) - r
            let cy = corner.minY == rect.minY ? Double(rect.minY) + r : Double(rect.maxY) - r
            coverage(corner.intersection(clip), colour) { x, y in
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                return r + 0.5 - (dx * dx + dy * dy).squareRoot()
            }
        }
    }

    /// An anti-aliased filled circle.
    func disc(centreX cx: Double, centreY cy: Double, radius: Double, _ colour: UInt32) {
        let box = Rect(minX: Int((cx - radius - 1).rounded(.down)), minY: Int((cy - radius - 1).rounded(.down)),
                       maxX: Int((cx + radius + 1).rounded(.up)), maxY: Int((cy + radius + 1).rounded(.up)))
        coverage(box.intersection(clip), colour) { x, y in
            let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
            return radius + 0.5 - (dx * dx + dy * dy).squareRoot()
        }
    }

    /// Blends `colour` over `rect` with the coverage (clamped to 0...1) that `cover` gives a pixel.
    private func coverage(_ rect: Rect, _ colour: UInt32, _ cover: (Int, Int) -> Double) {
        let r = rect.intersection(clip)
        if r.isEmpty { return }
        for y in r.minY..<r.maxY {
            let p = row(y)
            for x in r.minX..<r.maxX {
                let c = cover(x, y)
                if c >= 1 { p[x] = colour } else if c > 0 { p[x] = DemoColour.mix(p[x], colour, Int(c * 255 + 0.5)) }
            }
        }
    }

    /// A soft drop shadow around `rect` (drawn before the window, so only the outside shows):
    /// darkness falls off quadratically over `spread` pixels from the rect moved down by `drop`.
    func dropShadow(_ rect: Rect, spread: Int, drop: Int, maxAlpha: Int) {
        let s = rect.offsetBy(dx: 0, dy: drop)
        let outer = Rect(minX: s.minX - spread, minY: s.minY - spread, maxX: s.maxX + spread, maxY: s.maxY + spread)
        let r = outer.intersection(clip)
        if r.isEmpty || spread <= 0 { return }
        let sp = Double(spread)
        for y in r.minY..<r.maxY {
            let p = row(y)
            let dy = Double(max(s.minY - y, 0, y - (s.maxY - 1)))
            for x in r.minX..<r.maxX {
                if rect.contains(Point(x: x, y: y)) { continue }
                let dx = Double(max(s.minX - x, 0, x - (s.maxX - 1)))
                let d = (dx * dx + dy * dy).squareRoot()
                if d >= sp { continue }
                let f = 1 - d / sp
                let a = Int(Double(maxAlpha) * f * f + 0.5)
                if a > 0 { p[x] = DemoColour.mix(p[x], 0, a) }
            }
        }
    }
}

/// Colour arithmetic on `0x00RRGGBB` values.
enum DemoColour {
    /// `over` mixed onto `under` with opacity `alpha` (0...255), rounded.
    @inline(__always)
    static func mix(_ under: UInt32, _ over: UInt32, _ alpha: Int) -> UInt32 {
        let a = UInt32(alpha), na = 255 - a
        let r = ((over >> 16 & 0xff) * a + (under >> 16 & 0xff) * na + 127) / 255
        let g = ((over >> 8 & 0xff) * a + (under >> 8 & 0xff) * na + 127) / 255
        let b = ((over & 0xff) * a + (under & 0xff) * na + 127) / 255
        return r << 16 | g << 8 | b
    }

    /// Linear interpolation between two colours, `t` in 0...1.
    static func lerp(_ a: UInt32, _ b: UInt32, _ t: Double) -> UInt32 {
        mix(a, b, Int(max(0, min(1, t)) * 255 + 0.5))
    }
}
