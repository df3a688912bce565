import Foundation
import Geometry
import Pixels
import PortholeTestSupport

/// The damage refinery's tile comparison on a 3840x2160 frame, against memcmp of the same bytes in
/// the same run (docs/benchmarks.md, "Tile comparison"). Every figure is a median of `runs`
/// timings; the ratio to memcmp is the number to compare across runs.
enum TileCompareBenchmark {
    static let width = 3840, height = 2160

    static func run(runs: Int) {
        let previous = TestImages.random(width: width, height: height, seed: 21)
        // The same pixels in separate memory, so nothing short-cuts the comparison.
        let unchanged = PixelBuffer(width: width, height: height, pixels: previous.pixels.map { $0 })
        let frameBytes = Double(width * height * 4)
        var sink = 0

        func median(_ body: () -> Void) -> Double {
            body()
            var times: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return times.sorted()[times.count / 2]
        }

        // memcmp of the whole frame (one call) and of the same bytes row by row.
        let memcmpSeconds = previous.pixels.withUnsafeBytes { a in
            unchanged.pixels.withUnsafeBytes { b in median { sink &+= Int(memcmp(a.baseAddress!, b.baseAddress!, a.count)) } }
        }
        func rowwiseMemcmpSeconds(of region: Region) -> Double {
            previous.withView { a in unchanged.withView { b in median {
                for r in region.rects {
                    for y in r.minY..<r.maxY { sink &+= Int(memcmp(a.row(y) + r.minX, b.row(y) + r.minX, r.width * 4)) }
                }
            } } }
        }

        print("")
        print("## Tile comparison, \(width)x\(height) (\(Int(frameBytes) >> 20) MiB per frame), median of \(runs) runs")
        print("")
        print("| workload | tile | ms | GB/s | vs memcmp of the same bytes |")
        print("|---|---:|---:|---:|---:|")
        func row(_ name: String, _ tile: String, _ seconds: Double, bytes: Double, memcmp reference: Double) {
            let gbs = bytes / seconds / 1e9
            print("| \(name) | \(tile) | \(String(format: "%.2f", seconds * 1000)) | \(String(format: "%.1f", gbs)) | \(String(format: "%.2f", reference / seconds)) |")
        }
        row("memcmp, whole frame in one call", "-", memcmpSeconds, bytes: frameBytes, memcmp: memcmpSeconds)
        let rowwise = rowwiseMemcmpSeconds(of: Region(previous.bounds))
        row("memcmp, row by row", "-", rowwise, bytes: frameBytes, memcmp: memcmpSeconds)

        for tileSize in [32, 64] {
            let comparer = TileComparer(tileSize: tileSize)
            func time(_ current: PixelBuffer, within hint: Region?) -> (Double, Region) {
                var found = Region()
                let seconds = previous.withView { a in current.withView { b in median {
                    found = hint.map { comparer.changedRegion(from: a, to: b, within: $0) } ?? comparer.changedRegion(from: a, to: b)
                } } }
                return (seconds, found)
            }
            let label = "\(tileSize)"

            let (same, none) = time(unchanged, within: nil)
            precondition(none.isEmpty)
            row("no change, whole frame", label, same, bytes: frameBytes, memcmp: memcmpSeconds)

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
            let (random, all1) = time(scattered, within: nil)
            precondition(all1 == Region(previous.bounds))
            row("1 pixel per tile at random, whole frame", label, random, bytes: frameBytes, memcmp: memcmpSeconds)
            let (worst, all2) = time(lastPixel, within: nil)
            precondition(all2 == Region(previous.bounds))
            row("1 pixel per tile at its end, whole frame", label, worst, bytes: frameBytes, memcmp: memcmpSeconds)

            // A hint of 24 window-sized rectangles (a toolkit's damage), nothing changed inside.
            var hintRng = SplitMix(seed: 23)
            let hint = Region(rects: (0..<24).map { _ in
                Rect(x: hintRng.int(0...(width - 1)), y: hintRng.int(0...(height - 1)), width: hintRng.int(100...900), height: hintRng.int(50...600))
            }).intersection(previous.bounds)
            let hintBytes = Double(hint.area * 4)
            let (limited, nothing) = time(unchanged, within: hint)
            precondition(nothing.isEmpty)
            row("no change, hint of 24 rects (\(hint.area * 100 / (width * height))% of the frame)", label, limited, bytes: hintBytes,
                memcmp: rowwiseMemcmpSeconds(of: hint))
        }
        if sink == 42 { print("") }
    }
}
