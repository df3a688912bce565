import Geometry
import Pixels

/// The demo desktop's background: a diagonal gradient from deep navy to teal with a soft violet
/// glow at the top right.
enum DemoWallpaper {
    static func render(size: Size) -> PixelBuffer {
        var out = PixelBuffer(width: size.width, height: size.height)
        let w = Double(max(1, size.width)), h = Double(max(1, size.height))
        let glowX = 0.78 * w, glowY = 0.12 * h, glowR = 0.75 * max(w, h)
        let stops: (UInt32, UInt32, UInt32) = (0x0e1a2f, 0x1d3b63, 0x1f6f7a)
        out.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<size.height {
                let row = p.baseAddress! + y * size.width
                let dy = Double(y) - glowY
                for x in 0..<size.width {
                    let t = (Double(x) / w) * 0.55 + (Double(y) / h) * 0.45
                    var c = t < 0.5 ? DemoColour.lerp(stops.0, stops.1, t * 2) : DemoColour.lerp(stops.1, stops.2, t * 2 - 1)
                    let dx = Double(x) - glowX
                    let d = (dx * dx + dy * dy).squareRoot() / glowR
                    if d < 1 { c = DemoColour.lerp(c, 0x7a5ca8, (1 - d) * (1 - d) * 0.45) }
                    row[x] = c
                }
            }
        }
        return out
    }
}
