import Foundation
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders

/// Encoder throughput in megapixels per second on 1920x1080 frames, next to memcpy and memcmp of
/// the same frame measured in the same run. Each figure is the median of `runs` timings, so a noisy
/// shared machine moves it less; the ratio to memcpy is the number to compare across runs.
let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 15
let width = 1920, height = 1080
let megapixels = Double(width * height) / 1e6

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

/// Times `body` `runs` times (after one warm-up) and returns the median in seconds.
func measure(_ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return median(times)
}

let frames: [(String, PixelBuffer)] = [
    ("desktop", TestImages.desktop(width: width, height: height)),
    ("photo", TestImages.photographic(width: width, height: height)),
]

var copyTarget = [UInt32](repeating: 0, count: width * height)
let sample = frames[0].1
let memcpySeconds = measure {
    sample.pixels.withUnsafeBytes { src in copyTarget.withUnsafeMutableBytes { dst in dst.copyMemory(from: src) } }
}
var other = sample.pixels
other[other.count - 1] ^= 1
var sink = 0
let memcmpSeconds = measure {
    sample.pixels.withUnsafeBytes { a in other.withUnsafeBytes { b in sink &+= Int(memcmp(a.baseAddress!, b.baseAddress!, a.count)) } }
}

print("# porthole-bench: \(width)x\(height), median of \(runs) runs")
print("")
print("| workload | frame | MP/s | ms/frame | vs memcpy | bytes/frame |")
print("|---|---|---:|---:|---:|---:|")
func row(_ name: String, _ frame: String, _ seconds: Double, _ bytes: Int?) {
    let mps = megapixels / seconds
    let ratio = memcpySeconds / seconds
    print("| \(name) | \(frame) | \(String(format: "%.0f", mps)) | \(String(format: "%.2f", seconds * 1000)) | \(String(format: "%.3f", ratio)) | \(bytes.map(String.init) ?? "-") |")
}
row("memcpy", "desktop", memcpySeconds, nil)
row("memcmp", "desktop", memcmpSeconds, nil)

let translator = PixelTranslator(format: .xrgb8888)
for encoding in EncoderRegistry.implemented {
    for (frameName, frame) in frames {
        var encoder = EncoderRegistry.make(encoding)!
        var bytes = 0
        let seconds = frame.withView { view in
            measure {
                var out = ByteBuffer()
                out.reserveCapacity(width * height * 4 + 4096)
                _ = encoder.encode(view.bounds, of: view, translator: translator, into: &out)
                bytes = out.readableBytes
            }
        }
        row(encoding.description, frameName, seconds, bytes)
    }
}
if sink == 42 { print("") }
