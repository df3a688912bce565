import Geometry
import Pixels

/// One solid-colour subrectangle found by `SubrectangleSearch`, in coordinates relative to the
/// searched area (as RRE and Hextile put them on the wire, RFC 6143 §7.7.3 and §7.7.4).
struct Subrectangle: Equatable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    /// The wire pixel value (already translated to the viewer's format).
    var pixelValue: UInt32
}

/// Covers every pixel that differs from a background colour with solid-colour rectangles: the
/// shared core of the RRE and Hextile encoders.
///
/// The search is greedy and runs in one pass, row by row: at each uncovered non-background pixel
/// it takes the horizontal run of that colour, then extends it downwards for as long as the rows
/// below repeat the run exactly. Runs may pass over pixels an earlier rectangle already covered
/// (they have the same colour), which only repaints them and often saves a rectangle. This is not
/// the minimum cover (that is NP-hard), but on screen content (text, borders, flat areas) it finds
/// long runs and tall blocks at a cost of a few reads per pixel.
///
/// The value keeps its scratch storage between calls, so an encoder that owns one does not
/// allocate per tile.
struct SubrectangleSearch {
    /// The rectangles found by the last call to `search`.
    private(set) var found: [Subrectangle] = []
    private var covered: [Bool] = []

    init() {}

    /// Searches `pixels` (a `width` x `height` block, row-major, stride `width`) for everything that
    /// is not `background`. Stops early and returns false as soon as more than `limit` rectangles
    /// would be needed (Hextile uses this to give up on a tile that raw encodes smaller);
    /// otherwise returns true with the cover in `found`.
    mutating func search(_ pixels: UnsafeBufferPointer<UInt32>, width: Int, height: Int,
                         background: UInt32, limit: Int = .max) -> Bool {
        precondition(pixels.count >= width * height)
        found.removeAll(keepingCapacity: true)
        let count = width * height
        guard count > 0 else { return true }
        if covered.count < count {
            covered = [Bool](repeating: false, count: count)
        } else {
            covered.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: false, count: count) }
        }
        return covered.withUnsafeMutableBufferPointer { coveredPointer -> Bool in
            let covered = coveredPointer.baseAddress!
            let p = pixels.baseAddress!
            for y in 0..<height {
                let row = p + y * width
                var x = 0
                while x < width {
                    let colour = row[x]
                    if colour == background || covered[y * width + x] {
                        x += 1
                        continue
                    }
                    // The horizontal run of this colour.
                    var runEnd = x + 1
                    while runEnd < width && row[runEnd] == colour { runEnd += 1 }
                    // Extend it downwards while the rows below repeat it.
                    var bottom = y + 1
                    extend: while bottom < height {
                        let below = p + bottom * width
                        for i in x..<runEnd where below[i] != colour { break extend }
                        bottom += 1
                    }
                    if found.count == limit { return false }
                    found.append(Subrectangle(x: x, y: y, width: runEnd - x, height: bottom - y, pixelValue: colour))
                    if bottom > y + 1 {
                        for coveredRow in (y + 1)..<bottom {
                            (covered + coveredRow * width + x).update(repeating: true, count: runEnd - x)
                        }
                    }
                    x = runEnd
                }
            }
            return true
        }
    }
}

/// The most common value among `pixels`, found by counting a sorted sample of at most
/// `sampleLimit` evenly spaced pixels: exact for Hextile tiles (256 pixels), an estimate for big
/// RRE rectangles, where any background choice is valid and the sample only has to find the
/// dominant colour of screen content.
func mostCommonPixelValue(_ pixels: UnsafeBufferPointer<UInt32>, sampleLimit: Int = 4096) -> UInt32 {
    guard !pixels.isEmpty else { return 0 }
    let step = max(1, pixels.count / sampleLimit)
    var sample: [UInt32] = []
    sample.reserveCapacity(pixels.count / step + 1)
    var i = 0
    while i < pixels.count {
        sample.append(pixels[i])
        i += step
    }
    sample.sort()
    var best = sample[0], bestCount = 0
    var start = 0
    while start < sample.count {
        var end = start + 1
        while end < sample.count && sample[end] == sample[start] { end += 1 }
        if end - start > bestCount {
            best = sample[start]
            bestCount = end - start
        }
        start = end
    }
    return best
}

/// Reads `rect` of `frame` and translates it into wire pixel values (before byte ordering), one
/// `UInt32` per pixel, row-major with stride `rect.width`: what RRE and Hextile analyse, so that
/// colours the viewer's format cannot tell apart are merged.
func translatePixelValues(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                          into values: inout [UInt32]) {
    let count = rect.width * rect.height
    // Resize within the existing capacity: Hextile alternates full and edge tiles.
    if values.count > count {
        values.removeLast(values.count - count)
    } else if values.count < count {
        values.append(contentsOf: repeatElement(0, count: count - values.count))
    }
    values.withUnsafeMutableBufferPointer { out in
        guard let base = out.baseAddress else { return }
        for row in 0..<rect.height {
            let source = frame.row(rect.y + row) + rect.x
            let destination = base + row * rect.width
            if translator.isIdentity {
                PixelTranslator.copyClearingX(source, count: rect.width, into: destination)
            } else {
                for i in 0..<rect.width { destination[i] = translator.pixelValue(source[i]) }
            }
        }
    }
}

/// Stores `value` as one pixel of `bytesPerPixel` bytes in the translator's byte order and
/// returns the position after it.
@inline(__always)
func storePixel(_ value: UInt32, translator: PixelTranslator, at p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    translator.store(value, to: p)
    return p + translator.bytesPerPixel
}

/// Stores a big-endian U16 (RFC 6143 §7.1: all multi-byte integers are big-endian) and returns the
/// position after it.
@inline(__always)
func storeUInt16(_ value: Int, at p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    p.storeBytes(of: UInt16(truncatingIfNeeded: value).bigEndian, as: UInt16.self)
    return p + 2
}
