/// Nearest-neighbour scaling along one axis, in the 16.16 fixed point of KMS source rects:
/// destination pixel `d` shows the source pixel under its centre,
/// `floor((sourceStart + (d - destinationStart + 1/2) * sourceLength / destinationLength) / 65536)`.
/// Nearest rather than bilinear keeps composition exact (a 1:1 plane copies its pixels
/// unchanged, and a damaged source pixel damages exactly the destination pixels that show it).
struct NearestSampling {
    /// 16.16 fixed point.
    let sourceStart: Int
    let sourceLength: Int
    let destinationStart: Int
    let destinationLength: Int

    init(source: (start: Int, length: Int), destination: (start: Int, length: Int)) {
        sourceStart = source.start; sourceLength = source.length
        destinationStart = destination.start; destinationLength = destination.length
    }

    var destinationEnd: Int { destinationStart + destinationLength }

    /// No scaling: consecutive destination pixels show consecutive source pixels, since
    /// `sourcePixel(at: d)` is then `(sourceStart + 32768 + (d - destinationStart) * 65536) >> 16`.
    var isOneToOne: Bool { sourceLength == destinationLength << 16 }

    /// The source pixel shown at destination pixel `d` (which must lie in the destination).
    @inline(__always) func sourcePixel(at d: Int) -> Int {
        (sourceStart + ((2 * (d - destinationStart) + 1) * sourceLength) / (2 * destinationLength)) >> 16
    }

    /// The destination pixels that show a source pixel in `sources`: exact, because the mapping is
    /// monotonic and the estimate from the inverse ratio is off by at most a pixel.
    func destinationPixels(showing sources: Range<Int>) -> Range<Int> {
        let start = firstDestination(showingAtLeast: sources.lowerBound)
        let end = firstDestination(showingAtLeast: sources.upperBound)
        return start..<max(start, end)
    }

    private func firstDestination(showingAtLeast pixel: Int) -> Int {
        let target = (pixel << 16) - sourceStart
        let estimate = destinationStart + (target > 0 ? target * destinationLength / sourceLength : 0)
        var d = min(max(estimate - 2, destinationStart), destinationEnd)
        while d < destinationEnd && sourcePixel(at: d) < pixel { d += 1 }
        return d
    }
}
