import Geometry
import Pixels

/// What the mirror draws over its last picture once the X server is gone: the picture darkened to
/// a third and a red and yellow striped border, impossible to mistake for a live desktop.
enum StaleNotice {
    static let border = 16

    static func draw(on frame: inout PixelBuffer) {
        let (w, h) = (frame.width, frame.height)
        frame.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    if x < border || y < border || x >= w - border || y >= h - border {
                        p[i] = (x + y) / 16 % 2 == 0 ? 0xd0_1010 : 0xf0_d000
                    } else {
                        let c = p[i]
                        p[i] = (c >> 16 & 0xff) / 3 << 16 | (c >> 8 & 0xff) / 3 << 8 | (c & 0xff) / 3
                    }
                }
            }
        }
    }
}
