import Geometry
import Pixels
import RFB

/// How Tight writes pixels for one viewer format (rfbproto "Tight Encoding", TPIXEL).
///
/// A TPIXEL is the format's PIXEL, except for 32 bpp true colour of depth 24 with all three
/// maxima 255: then it is 3 bytes, red, green, blue, whatever the shifts and byte order. The
/// encoder works on *keys*, one `UInt32` per pixel that is equal exactly when the viewer sees the
/// same colour: the canonical `0x00RRGGBB` in the 3-byte case (so no translation at all for the
/// common formats), the translated pixel value otherwise.
struct TightPixelPacking {
    let format: PixelFormat
    let layout: TightPixelLayout
    var size: Int { layout.size }
    var isRGB888: Bool { layout.isRGB888 }
    var shifts: (UInt32, UInt32, UInt32) { layout.shifts }
    var maxima: (UInt32, UInt32, UInt32) { layout.maxima }

    init(format: PixelFormat) {
        self.format = format
        layout = TightPixelLayout(format: format)
    }

    static func usesThreeByteTPixel(_ format: PixelFormat) -> Bool { TightPixelLayout.usesThreeByteTPixel(format) }

    /// Fills `keys` with the keys of `rect` of `frame`, row-major (rect.area entries).
    func loadKeys(_ rect: Rect, of frame: PixelView, translator: PixelTranslator, into keys: UnsafeMutablePointer<UInt32>) {
        var k = keys
        for y in rect.minY..<rect.maxY {
            let row = frame.row(y) + rect.minX
            if isRGB888 {
                for x in 0..<rect.width { k[x] = row[x] & 0x00ff_ffff }
            } else {
                for x in 0..<rect.width { k[x] = translator.pixelValue(row[x]) }
            }
            k += rect.width
        }
    }

    /// Writes one key as a TPIXEL at `p` (`size` bytes).
    @inline(__always)
    func store(_ key: UInt32, to p: UnsafeMutablePointer<UInt8>) {
        switch size {
        case 3:
            p[0] = UInt8(truncatingIfNeeded: key >> 16)
            p[1] = UInt8(truncatingIfNeeded: key >> 8)
            p[2] = UInt8(truncatingIfNeeded: key)
        case 1:
            p[0] = UInt8(truncatingIfNeeded: key)
        case 2:
            let v = UInt16(truncatingIfNeeded: key)
            UnsafeMutableRawPointer(p).storeBytes(of: format.bigEndian ? v.bigEndian : v.littleEndian, as: UInt16.self)
        default:
            UnsafeMutableRawPointer(p).storeBytes(of: format.bigEndian ? key.bigEndian : key.littleEndian, as: UInt32.self)
        }
    }

    /// The CopyFilter: `count` keys as TPIXELs; returns the bytes written.
    func copyFilter(_ keys: UnsafePointer<UInt32>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var p = out
        if isRGB888 {
            // The common case without the per-pixel switch.
            for i in 0..<count {
                let key = keys[i]
                p[0] = UInt8(truncatingIfNeeded: key >> 16)
                p[1] = UInt8(truncatingIfNeeded: key >> 8)
                p[2] = UInt8(truncatingIfNeeded: key)
                p += 3
            }
            return count * 3
        }
        for i in 0..<count {
            store(keys[i], to: p)
            p += size
        }
        return count * size
    }
}
