import Foundation
import Geometry
import Pixels
import PortholeTestSupport

/// The damage refinery's tile comparison on a 3840x2160 frame, against memcmp of the same bytes in
/// the same run (docs/benchmarks.md, "Tile comparison"). Each workload is timed alternately with
/// its memcmp, `runs` times; the figures are medians, and the ratio (the number to compare across
/// runs) is the median of the per-run ratios. Each comparison's result is checked as well.
enum TileCompareBenchmark {
    static let width = 3840, height = 2160

    static func run(runs: Int) {
        let previous = TestImages.random(width: width, height: height, seed: 21)
        // The same pixels in separate memory, so nothing short-cuts the comparison.
        let unchanged = PixelBuffer(width: width, height: height, pixels: previous.pixels.map { $0 })
        let frameBytes = Double(width * height * 4)
        var sink = 0

        func seconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        /// Times `body` and its memcmp `reference` alternately, `runs` times each after a warm-up,
        /// so that load on the shared machine hits both alike; returns both medians and the median
        /// of the per-run ratios (reference time / body time).
        func paired(_ body: () -> Void, reference: () -> Void) -> (seconds: Double, reference: Double, ratio: Double) {
            body(); reference()
            var times: [Double] = [], references: [Double] = [], ratios: [Double] = []
            for _ in 0..<runs {
                let r = seconds(reference), t = seconds(body)
                times.append(t); references.append(r); ratios.append(r / t)
            }
            return (median(times), median(references), median(ratios))
        }

        // memcmp of the whole frame (one call) and of the same bytes row by row.
        let wholeMemcmp = {
            previous.pixels.withUnsafeBytes { a in unchanged.pixels.withUnsafeBytes { b in sink &+= Int(memcmp(a.baseAddress!, b.baseAddress!, a.count)) } }
        }
        func rowwiseMemcmp(of region: Region) -> () -> Void {
            {
                previous.withView { a in unchanged.withView { b in
                    for r in region.rects {
                        for y in r.minY..<r.maxY { sink &+= Int(memcmp(a.row(y) + r.minX, b.row(y) + r.minX, r.width * 4)) }
                    }
                } }
            }
        }

        print("")
        print("## Tile comparison, \(width)x\(height) (\(Int(frameBytes) >> 20) MiB per frame), median of \(runs) paired runs")
        print("")
        print("| workload | tile | ms | GB/s | memcmp of the same bytes, ms | ratio to memcmp |")
        print("|---|---:|---:|---:|---:|---:|")
        func row(_ name: String, _ tile: String, _ m: (seconds: Double, reference: Double, ratio: Double), bytes: Double) {
            let gbs = bytes / m.seconds / 1e9
            print("| \(name) | \(tile) | \(String(format: "%.2f", m.seconds * 1000)) | \(String(format: "%.1f", gbs)) | \(String(format: "%.2f", m.reference * 1000)) | \(String(format: "%.2f", m.ratio)) |")
        }
        row("memcmp, row by row", "-", paired(rowwiseMemcmp(of: Region(previous.bounds)), reference: wholeMemcmp), bytes: frameBytes)

        for tileSize in [32, 64] {
            let comparer = TileComparer(tileSize: tileSize)
            func compare(_ current: PixelBuffer, within hint: Region?, expect expected: Region) -> () -> Void {
                {
                    let found = previous.withView { a in current.withView { b in
                        hint.map { comparer.changedRegion(from: a, to: b, within: $0) } ?? comparer.changedRegion(from: a, to: b)
                    } }
                    precondition(found == expected, "the comparison found \(found.area) pixels, not \(expected.area)")
                }
            }
            let label = "\(tileSize)"
            row("no change, whole frame", label, paired(compare(unchanged, within: nil, expect: Region()), reference: wholeMemcmp), bytes: frameBytes)

            // One changed pixel in every tile: at a random place, and at the tile's last pixel
            // (every byte of every tile must then be read: the worst case).
            var rng = SplitMix(seed: 22)
            var scattered = unchanged, lastPixel = unchanged
            for ty in stride(from: 0, to: height, by: tileSize) {
                for tx in stride(from: 0, to: width, by: tileSize) {
                    let w = min(tileSize, width - tx), h = min(tileSize, height - ty)
                    scattered[tx + rng.int(0...(w - 1)), ty + rng.int(0...(h - 1))] ^= 1
                    lastPixel[tx + w - 1, ty + h - 1] ^= 1
                }
            }
            let everything = Region(previous.bounds)
            row("1 pixel per tile at random, whole frame", label,
                paired(compare(scattered, within: nil, expect: everything), reference: wholeMemcmp), bytes: frameBytes)
            row("1 pixel per tile at its end, whole frame", label,
                paired(compare(lastPixel, within: nil, expect: everything), reference: wholeMemcmp), bytes: frameBytes)

            // A hint of 24 window-sized rectangles (a toolkit's damage), nothing changed inside.
            var hintRng = SplitMix(seed: 23)
            let hint = Region(rects: (0..<24).map { _ in
                Rect(x: hintRng.int(0...(width - 1)), y: hintRng.int(0...(height - 1)), width: hintRng.int(100...900), height: hintRng.int(50...600))
            }).intersection(previous.bounds)
            row("no change, hint of 24 rects (\(hint.area * 100 / (width * height))% of the frame)", label,
                paired(compare(unchanged, within: hint, expect: Region()), reference: rowwiseMemcmp(of: hint)), bytes: Double(hint.area * 4))
        }
        if sink == 42 { print("") }
    }
}
