/// The Tight GradientFilter (rfbproto "Tight Encoding"): each colour component is replaced by
/// its difference from the prediction `left + above - aboveLeft` (clamped to 0...max; pixels
/// outside the rect count as zero), modulo max + 1. Photographic content then becomes mostly
/// small numbers, which zlib compresses far better than the raw pixels; flat areas become zeros.
///
/// The spec allows the filter only for 16 and 32 bits per pixel; the encoder checks that.
enum TightGradientFilter {
    /// The mean prediction error per component (in 8-bit units) below which the filter is used:
    /// grainy photographs measure around 5, screen content with sharp edges 30 and more, noise
    /// about 85.
    static let smoothnessThreshold = 24

    @inline(__always)
    private static func component(_ key: UInt32, _ shift: UInt32, _ maximum: UInt32) -> Int {
        Int((key >> shift) & maximum)
    }

    @inline(__always)
    private static func residual(_ keys: UnsafePointer<UInt32>, x: Int, y: Int, width: Int,
                                 shift: UInt32, maximum: UInt32) -> (value: Int, predicted: Int) {
        let i = y * width + x
        let value = component(keys[i], shift, maximum)
        let left = x > 0 ? component(keys[i - 1], shift, maximum) : 0
        let above = y > 0 ? component(keys[i - width], shift, maximum) : 0
        let aboveLeft = x > 0 && y > 0 ? component(keys[i - width - 1], shift, maximum) : 0
        let predicted = max(0, min(Int(maximum), left + above - aboveLeft))
        return (value, predicted)
    }

    /// Writes the filtered `width` x `height` keys as TPIXELs to `out`; returns the byte count.
    static func apply(_ keys: UnsafePointer<UInt32>, width: Int, height: Int, packing: TightPixelPacking,
                      into out: UnsafeMutablePointer<UInt8>) -> Int {
        let (sr, sg, sb) = packing.shifts
        let (mr, mg, mb) = packing.maxima
        var p = out
        for y in 0..<height {
            for x in 0..<width {
                let r = residual(keys, x: x, y: y, width: width, shift: sr, maximum: mr)
                let g = residual(keys, x: x, y: y, width: width, shift: sg, maximum: mg)
                let b = residual(keys, x: x, y: y, width: width, shift: sb, maximum: mb)
                let dr = UInt32(truncatingIfNeeded: r.value - r.predicted) & mr
                let dg = UInt32(truncatingIfNeeded: g.value - g.predicted) & mg
                let db = UInt32(truncatingIfNeeded: b.value - b.predicted) & mb
                packing.store(dr << sr | dg << sg | db << sb, to: p)
                p += packing.size
            }
        }
        return width * height * packing.size
    }

    /// Whether the filter should beat the CopyFilter: the mean absolute prediction error over
    /// up to 16 sampled rows, scaled to 8-bit components, is below `smoothnessThreshold`.
    static func isSmooth(_ keys: UnsafePointer<UInt32>, width: Int, height: Int, packing: TightPixelPacking) -> Bool {
        guard width >= 2 && height >= 2 else { return false }
        let (sr, sg, sb) = packing.shifts
        let (mr, mg, mb) = packing.maxima
        let step = max(1, (height - 1) / 16)
        var error = 0, samples = 0
        var y = 1
        while y < height {
            var rowError = (0, 0, 0)
            for x in 1..<width {
                let r = residual(keys, x: x, y: y, width: width, shift: sr, maximum: mr)
                let g = residual(keys, x: x, y: y, width: width, shift: sg, maximum: mg)
                let b = residual(keys, x: x, y: y, width: width, shift: sb, maximum: mb)
                rowError.0 += abs(r.value - r.predicted)
                rowError.1 += abs(g.value - g.predicted)
                rowError.2 += abs(b.value - b.predicted)
            }
            error += rowError.0 * 255 / Int(mr) + rowError.1 * 255 / Int(mg) + rowError.2 * 255 / Int(mb)
            samples += 3 * (width - 1)
            y += step
        }
        return error < smoothnessThreshold * samples
    }
}
