import Geometry
import Pixels

/// A pointer image: premultiplied-free ARGB8888 pixels (`0xAARRGGBB`) and the hotspot, the pixel
/// that sits exactly at the pointer position. Viewers that take the Cursor pseudo-encoding draw it
/// themselves (RFC 6143 §7.8.1); for the others the server draws it into the picture.
public struct CursorImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var hotspot: Point
    public var argb: [UInt32]

    public init(width: Int, height: Int, hotspot: Point, argb: [UInt32]) {
        precondition(argb.count == width * height)
        self.width = width; self.height = height; self.hotspot = hotspot; self.argb = argb
    }

    /// The rectangle the image covers when the pointer is at `position`.
    public func footprint(at position: Point) -> Rect {
        Rect(x: position.x - hotspot.x, y: position.y - hotspot.y, width: width, height: height)
    }

    /// RFC 6143 §7.8.1's bitmask: a pixel is visible when its alpha is at least half.
    public var isOpaqueMask: [Bool] { argb.map { $0 >> 24 >= 0x80 } }

    /// Blends the image over `frame` with the pointer at `position`, inside `clip` only.
    public func draw(into frame: inout PixelBuffer, at position: Point, clip: Rect) {
        let area = footprint(at: position).intersection(clip).intersection(frame.bounds)
        if area.isEmpty { return }
        let origin = footprint(at: position).origin
        let stride = frame.width
        // One mutable access for the whole cursor: `pixels` is an accessor (a frame may borrow
        // its pixels), too dear to go through pixel by pixel.
        frame.pixels.withUnsafeMutableBufferPointer { pixels in
            for y in area.minY..<area.maxY {
                for x in area.minX..<area.maxX {
                    let c = argb[(y - origin.y) * width + (x - origin.x)]
                    let alpha = c >> 24
                    if alpha == 0 { continue }
                    let i = y * stride + x
                    if alpha == 255 { pixels[i] = c & 0x00ff_ffff; continue }
                    let d = pixels[i]
                    func mix(_ shift: UInt32) -> UInt32 {
                        let s = (c >> shift) & 0xff, t = (d >> shift) & 0xff
                        return ((s * alpha + t * (255 - alpha) + 127) / 255) << shift
                    }
                    pixels[i] = mix(16) | mix(8) | mix(0)
                }
            }
        }
    }

    /// The classic left-pointing arrow, black with a white outline, 12x19 with the hotspot at the tip.
    public static let arrow: CursorImage = {
        let rows = [
            "X...........", "XX..........", "XoX.........", "XooX........", "XoooX.......",
            "XooooX......", "XoooooX.....", "XooooooX....", "XoooooooX...", "XooooooooX..",
            "XoooooooooX.", "XooooooXXXXX", "XoooXooX....", "XooXXooX....", "XoX..XooX...",
            "XX...XooX...", "X.....XooX..", "......XooX..", ".......XX...",
        ]
        var pixels: [UInt32] = []
        for row in rows {
            for ch in row {
                switch ch {
                case "X": pixels.append(0xff00_0000)
                case "o": pixels.append(0xffff_ffff)
                default: pixels.append(0)
                }
            }
        }
        return CursorImage(width: 12, height: 19, hotspot: .zero, argb: pixels)
    }()
}
