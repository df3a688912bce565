import Geometry
import Pixels
import RFB

/// How a Tight viewer reads TPIXELs and turns filtered data into canonical pixels
/// (rfbproto "Tight Encoding").
///
/// A TPIXEL is 3 bytes (red, green, blue) for 32 bpp true colour of depth 24 with all maxima 255,
/// else the format's PIXEL; the rule in `TightPixelLayout`, shared with the encoder.
struct TightPixels {
    let format: PixelFormat
    let layout: TightPixelLayout
    var size: Int { layout.size }
    var isRGB888: Bool { layout.isRGB888 }
    private let reader: WirePixelReader
    private var shifts: (UInt32, UInt32, UInt32) { layout.shifts }
    private var maxima: (UInt32, UInt32, UInt32) { layout.maxima }

    init(format: PixelFormat) throws(RectangleDecodingError) {
        reader = try WirePixelReader(format: format)
        self.format = format
        layout = TightPixelLayout(format: format)
    }

    /// The raw value of the TPIXEL at `p`: `0x00RRGGBB` for 3-byte TPIXELs, else the pixel value.
    @inline(__always)
    func rawValue(at p: UnsafeRawPointer) -> UInt32 {
        if isRGB888 {
            let b = p.assumingMemoryBound(to: UInt8.self)
            return UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])
        }
        return PixelTranslator.load(from: p, format: format)
    }

    @inline(__always)
    func canonical(fromRaw value: UInt32) -> UInt32 {
        isRGB888 ? value : PixelTranslator.canonical(fromPixelValue: value, format: format)
    }

    @inline(__always)
    func canonical(at p: UnsafeRawPointer) -> UInt32 {
        isRGB888 ? rawValue(at: p) : reader.canonical(at: p)
    }

    /// CopyFilter: `rect.area` TPIXELs, row-major.
    func drawCopy(_ data: UnsafeRawPointer, rect: Rect, canvas: FramebufferCanvas) {
        var p = data
        for y in rect.minY..<rect.maxY {
            let row = canvas.base + y * canvas.stride + rect.minX
            for x in 0..<rect.width {
                row[x] = canonical(at: p)
                p += size
            }
        }
    }

    /// PaletteFilter: 1-bit rows (most significant bit leftmost, padded to bytes) for two
    /// colours, else one index byte per pixel. Indices must have been checked against the palette.
    func drawPalette(_ data: UnsafePointer<UInt8>, palette: [UInt32], rect: Rect, canvas: FramebufferCanvas) {
        if palette.count == 2 {
            let rowBytes = (rect.width + 7) / 8
            for y in 0..<rect.height {
                let bits = data + y * rowBytes
                let row = canvas.base + (rect.minY + y) * canvas.stride + rect.minX
                for x in 0..<rect.width {
                    row[x] = palette[Int(bits[x >> 3] >> (7 - UInt8(x & 7))) & 1]
                }
            }
            return
        }
        for y in 0..<rect.height {
            let indices = data + y * rect.width
            let row = canvas.base + (rect.minY + y) * canvas.stride + rect.minX
            for x in 0..<rect.width { row[x] = palette[Int(indices[x])] }
        }
    }

    /// GradientFilter: each component is the difference from `left + above - aboveLeft`
    /// (clamped to 0...max, zero outside the rect), modulo max + 1.
    func drawGradient(_ data: UnsafeRawPointer, rect: Rect, canvas: FramebufferCanvas) {
        let (sr, sg, sb) = shifts
        let (mr, mg, mb) = maxima
        let w = rect.width
        var previous = [Int](repeating: 0, count: 3 * w)
        var current = [Int](repeating: 0, count: 3 * w)
        var p = data
        @inline(__always) func restore(_ d: UInt32, _ shift: UInt32, _ maximum: UInt32, _ x: Int, _ c: Int) -> UInt32 {
            let left = x > 0 ? current[3 * (x - 1) + c] : 0
            let above = previous[3 * x + c]
            let aboveLeft = x > 0 ? previous[3 * (x - 1) + c] : 0
            let predicted = max(0, min(Int(maximum), left + above - aboveLeft))
            let v = (Int((d >> shift) & maximum) + predicted) & Int(maximum)
            current[3 * x + c] = v
            return UInt32(v) << shift
        }
        for y in rect.minY..<rect.maxY {
            let row = canvas.base + y * canvas.stride + rect.minX
            for x in 0..<w {
                let d = rawValue(at: p)
                p += size
                let value = restore(d, sr, mr, x, 0) | restore(d, sg, mg, x, 1) | restore(d, sb, mb, x, 2)
                row[x] = canonical(fromRaw: value)
            }
            swap(&previous, &current)
        }
    }
}
