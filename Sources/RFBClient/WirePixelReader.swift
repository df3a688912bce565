import Geometry
import Pixels

/// Reads pixel values in a viewer's wire format (RFC 6143 §7.4: 1, 2 or 4 bytes in the format's
/// byte order) and turns them into canonical XRGB8888: what every pixel-carrying decoder needs.
///
/// Building one validates the format first, so a decoder never divides by a zero maximum or reads
/// a pixel size it does not know; the decoders throw `.malformed` for such formats.
struct WirePixelReader {
    let format: PixelFormat
    let bytesPerPixel: Int
    /// XRGB8888 itself: a pixel's canonical value is its low 24 bits.
    let isIdentity: Bool

    init(format: PixelFormat) throws(RectangleDecodingError) {
        do {
            try format.validate()
        } catch {
            throw .malformed("pixel format \(format) is unusable: \(error)")
        }
        self.format = format
        bytesPerPixel = format.bytesPerPixel
        isIdentity = format == .xrgb8888
    }

    /// The canonical colour of the pixel value stored at `p`.
    @inline(__always)
    func canonical(at p: UnsafeRawPointer) -> UInt32 {
        let value = PixelTranslator.load(from: p, format: format)
        return isIdentity ? value & 0x00ff_ffff : PixelTranslator.canonical(fromPixelValue: value, format: format)
    }

    /// Converts `count` consecutive wire pixels at `source` into canonical pixels at `destination`.
    func readRow(from source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<UInt32>) {
        var p = source
        for i in 0..<count {
            destination[i] = canonical(at: p)
            p += bytesPerPixel
        }
    }
}

/// Drawing helpers over a framebuffer's pixels (stride = framebuffer width), used by decoders
/// after they have checked that everything they draw lies inside the framebuffer.
struct FramebufferCanvas {
    let base: UnsafeMutablePointer<UInt32>
    let stride: Int

    func fill(_ rect: Rect, with colour: UInt32) {
        for y in rect.minY..<rect.maxY {
            (base + y * stride + rect.minX).update(repeating: colour, count: rect.width)
        }
    }

    /// Draws `rect.width * rect.height` wire pixels, row-major, from `source`.
    func drawPixels(_ rect: Rect, from source: UnsafeRawPointer, reader: WirePixelReader) {
        let rowBytes = rect.width * reader.bytesPerPixel
        for row in 0..<rect.height {
            reader.readRow(from: source + row * rowBytes, count: rect.width, into: base + (rect.minY + row) * stride + rect.minX)
        }
    }
}

extension PixelBuffer {
    /// Runs `body` with a canvas over the pixels; nothing happens for an empty buffer.
    mutating func withCanvas(_ body: (FramebufferCanvas) -> Void) {
        let stride = width
        pixels.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            body(FramebufferCanvas(base: base, stride: stride))
        }
    }
}

/// Throws `.malformed` unless `rect` lies inside the framebuffer: a server must never send
/// rectangles outside the framebuffer (RFC 6143 §7.6.1), and drawing one would write out of
/// bounds.
func requireInside(_ rect: Rect, of framebuffer: PixelBuffer) throws(RectangleDecodingError) {
    guard rect.width >= 0 && rect.height >= 0 && framebuffer.bounds.contains(rect) else {
        throw .malformed("rectangle \(rect) lies outside the \(framebuffer.width)x\(framebuffer.height) framebuffer")
    }
}
