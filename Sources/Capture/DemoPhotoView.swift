import Foundation
import Geometry

/// The sliding window: an image viewer showing a sunset over mountains and a lake. Its content
/// never changes, so when it moves the desktop reports a CopyMove and viewers copy it themselves.
/// Every pixel is a function of its position inside the picture, never of the window's position.
enum DemoPhotoView {
    static let chrome = DemoWindowChrome.dark.titled("lake.png - Image Viewer")

    static func draw(window: Rect, on canvas: DemoCanvas) {
        let area = DemoLayout.content(of: window)
        let picture = Rect(minX: area.minX, minY: area.minY, maxX: area.maxX, maxY: area.maxY - DemoLayout.cornerRadius)
        let c = canvas.clipped(to: picture)
        if c.clip.isEmpty || picture.width < 2 || picture.height < 2 { return }
        let w = Double(picture.width), h = Double(picture.height)
        let horizon = 0.68
        let sky = (top: UInt32(0x23305e), middle: UInt32(0xb0587a), low: UInt32(0xf6a66b))
        func skyColour(_ v: Double) -> UInt32 {
            v < 0.6 ? DemoColour.lerp(sky.top, sky.middle, v / 0.6) : DemoColour.lerp(sky.middle, sky.low, (v - 0.6) / 0.4)
        }
        let sun = (x: 0.68, y: 0.50, radius: 0.09)
        func far(_ u: Double) -> Double { 0.50 + 0.06 * sin(u * 7.0 + 0.5) + 0.03 * sin(u * 17.0 + 2.0) }
        func near(_ u: Double) -> Double { 0.60 + 0.05 * sin(u * 4.0 + 2.2) + 0.025 * sin(u * 23.0) }
        for y in c.clip.minY..<c.clip.maxY {
            let p = c.row(y)
            let v = (Double(y - picture.minY) + 0.5) / h
            for x in c.clip.minX..<c.clip.maxX {
                let u = (Double(x - picture.minX) + 0.5) / w
                // Above the horizon: sky, sun, two mountain ranges. Below: their reflection, darker.
                let mirrored = v < horizon ? v : 2 * horizon - v
                var colour = skyColour(mirrored / horizon)
                let dx = (u - sun.x) * w / h, dy = mirrored - sun.y
                let d = (dx * dx + dy * dy).squareRoot()
                if d < sun.radius + 0.08 {
                    let glow = max(0, 1 - (d - sun.radius) / 0.08)
                    colour = DemoColour.lerp(colour, 0xffe9b0, d <= sun.radius ? 1 : glow * glow * 0.6)
                }
                if mirrored > far(u) { colour = DemoColour.lerp(colour, 0x4b3f72, 0.85) }
                if mirrored > near(u) { colour = 0x2a2145 }
                if v >= horizon {
                    let ripple = Int((v - horizon) * h) % 5 == 0 ? 0.55 : 0.4
                    colour = DemoColour.lerp(colour, 0x101a33, ripple)
                }
                p[x] = colour
            }
        }
    }
}
