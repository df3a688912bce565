import CTurboJPEGBench
import Capture
import Display
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

// `porthole-bench tiles` runs only the tile comparison, `porthole-bench demo` only refinement and
// encode-once on the demo desktop, `porthole-bench video` only the lossy-while-hot video,
// `porthole-bench moves` only move detection, `porthole-bench parallel` only serial against
// parallel update encoding, `porthole-bench jpeg` only Tight JPEG against libjpeg-turbo alone,
// timed in alternation, `porthole-bench zrle-tiles` only ZRLE's tile encoder, `porthole-bench
// zrle-decode` only the viewers' ZRLE decoder (all also run last in a full run).
if CommandLine.arguments.dropFirst().contains("tiles") {
    TileCompareBenchmark.run(runs: runs)
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("video") {
    LossyVideoBenchmark.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("moves") {
    MoveDetectBenchmark.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("parallel") {
    ParallelEncodeBenchmark.run(runs: runs)
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("jpeg") {
    TightJPEGCeilingBenchmark.run(runs: runs)
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("zrle-tiles") {
    ZRLETileBenchmark.run(runs: runs)
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("zrle-decode") {
    ZRLEDecodeBenchmark.run(runs: runs)
    exit(0)
}
if CommandLine.arguments.dropFirst().contains("demo") {
    DemoDamageBenchmark.run()
    exit(0)
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

/// libjpeg-turbo on its own, on the same frame and at the settings Tight uses for quality 6
/// (JPEG quality 79, 4:4:4, fast DCT): the ceiling for Tight's JPEG path. Like Tight's
/// `TightJPEGCompressor`, it compresses into one buffer of `tjBufSize` allocated once
/// (`TJFLAG_NOREALLOC`), so the timing is compression alone, not a fresh multi-megabyte buffer
/// (and its page faults) per frame.
func turboJPEGSeconds(_ frame: PixelBuffer) -> (Double, Int) {
    let handle = tjInitCompress()!
    defer { tjDestroy(handle) }
    let capacity = Int(tjBufSize(Int32(frame.width), Int32(frame.height), Int32(TJSAMP_444.rawValue)))
    let buffer = tjAlloc(Int32(capacity))!
    defer { tjFree(buffer) }
    var size = 0
    let seconds = frame.pixels.withUnsafeBytes { raw in
        measure {
            var jpeg: UnsafeMutablePointer<UInt8>? = buffer
            var length = UInt(capacity)
            let status = tjCompress2(handle, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(frame.width), 0, Int32(frame.height),
                                     Int32(TJPF_BGRX.rawValue), &jpeg, &length, Int32(TJSAMP_444.rawValue), 79,
                                     TJFLAG_FASTDCT | TJFLAG_NOREALLOC)
            precondition(status == 0 && jpeg == buffer, "tjCompress2 failed")
            size = Int(length)
        }
    }
    return (seconds, size)
}
for (frameName, frame) in frames {
    let (seconds, bytes) = turboJPEGSeconds(frame)
    row("libjpeg-turbo q79 4:4:4", frameName, seconds, bytes)
}

var variants: [(String, () -> any FramebufferEncoder)] = EncoderRegistry.implemented.map { e in (e.description, { EncoderRegistry.make(e)! }) }
variants.insert(("Tight JPEG q6", { TightEncoder(qualityLevel: 6) }), at: 1)
for (name, make) in variants {
    for (frameName, frame) in frames {
        var encoder = make()
        var bytes = 0
        let seconds = frame.withView { view in
            measure {
                var out = ByteBuffer()
                out.reserveCapacity(width * height * 4 + 4096)
                _ = encoder.encode(view.bounds, of: view, translator: translator, into: &out)
                bytes = out.readableBytes
            }
        }
        row(name, frameName, seconds, bytes)
    }
}

/// Bytes per frame on the live demo desktop: 10 s at 30 frames per second, every frame's damage
/// encoded as one viewer would get it (moves as CopyRect), per encoding.
print("")
print("## Demo desktop, 1920x1080, 300 frames at 30 fps")
print("")
print("| encoding | bytes/frame | encode ms/frame |")
print("|---|---:|---:|")
for (name, preferences) in [
    ("ZRLE", EncodingPreferences(requested: [.zrle, .copyRect], supported: Set(EncoderRegistry.implemented + [.copyRect]))),
    ("Tight lossless", EncodingPreferences(requested: [.tight, .copyRect], supported: Set(EncoderRegistry.implemented + [.copyRect]))),
    ("Tight JPEG q6", EncodingPreferences(requested: [.tight, .copyRect, Encoding(-26)], supported: Set(EncoderRegistry.implemented + [.copyRect]))),
] {
    let desktop = DemoDesktop(size: Size(width: width, height: height), clockOffset: 12 * 3600)
    var updates = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
    updates.configure(preferences)
    var total = 0
    var encodeSeconds = 0.0
    let frameCount = 300
    for i in 1...frameCount {
        let damage = desktop.advance(to: Double(i) / 30)
        var pending = PendingUpdate(bounds: desktop.frame.bounds)
        pending.add(damage)
        let (copies, region) = pending.take(requested: Region(desktop.frame.bounds))
        let start = DispatchTime.now().uptimeNanoseconds
        let message = desktop.frame.withView { updates.encodeUpdate(copies: copies, damage: region, frame: $0, translator: translator) }
        encodeSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        total += message?.readableBytes ?? 0
    }
    print("| \(name) | \(total / frameCount) | \(String(format: "%.2f", encodeSeconds * 1000 / Double(frameCount))) |")
}
TightJPEGCeilingBenchmark.run(runs: runs)
DemoDamageBenchmark.run()
MoveDetectBenchmark.run()
TileCompareBenchmark.run(runs: runs)
LossyVideoBenchmark.run()
ParallelEncodeBenchmark.run(runs: runs)
ZRLETileBenchmark.run(runs: runs)
print("")
ZRLEDecodeBenchmark.run(runs: runs)
if sink == 42 { print("") }
