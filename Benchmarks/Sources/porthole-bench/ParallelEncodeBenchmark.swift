import BenchSupport
import Foundation
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders

/// Encoding on all cores (docs/benchmarks.md, "Encoding on all cores"): whole-frame updates of a
/// 1920x1080 desktop and photo and a 3840x2160 desktop in ZRLE and lossless Tight, encoded by one viewer's
/// `FramebufferUpdateEncoder` on one core and in lanes on all of them. For each: wall time per
/// update (median), CPU time per update (the process's utime + stime over all runs), bytes per
/// update and their ratio (lanes cost ZRLE a little compression at their boundaries), with memcpy
/// of the same frame for scale. Then the same for single rects of growing area, which is where
/// `UpdateParallelism.defaultMinimumPixels` comes from.
enum ParallelEncodeBenchmark {
    struct Result {
        var wallSeconds: Double
        var cpuSeconds: Double
        var bytes: Int
    }

    static func run(runs: Int) {
        let cores = System.coreCount
        print("# Encoding on all cores: \(cores) cores, median of \(runs) runs")
        print("")
        let spin = spinControl(lanes: cores, runs: runs)
        print("Control, the machine's spare cores during this run: a busy loop of \(ms(spin.serial)) ms on one core took "
              + "\(ms(spin.parallel)) ms split into \(cores) lanes (speed-up \(String(format: "%.2f", spin.serial / spin.parallel)); "
              + "\(cores) would mean idle cores).")
        print("")
        print("| frame | encoding | memcpy ms | serial ms | parallel ms | speed-up | control | serial CPU ms | parallel CPU ms | serial bytes | parallel bytes | bytes ratio |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        let workloads = [
            ("desktop", TestImages.desktop(width: 1920, height: 1080)),
            ("photo", TestImages.photographic(width: 1920, height: 1080)),
            ("desktop", TestImages.desktop(width: 3840, height: 2160)),
        ]
        for (name, frame) in workloads {
            let memcpy = memcpySeconds(frame, runs: runs)
            for encoding in [Encoding.zrle, .tight] {
                let before = spinControl(lanes: cores, runs: 5)
                let serial = measure(encoding, frame: frame, damage: frame.bounds, parallelism: .serial, runs: runs)
                let parallel = measure(encoding, frame: frame, damage: frame.bounds, parallelism: .allCores, runs: runs)
                let after = spinControl(lanes: cores, runs: 5)
                let control = (before.serial + after.serial) / (before.parallel + after.parallel)
                print("| \(frame.width)x\(frame.height) \(name) | \(encoding) | \(ms(memcpy)) | \(ms(serial.wallSeconds)) | \(ms(parallel.wallSeconds)) | "
                      + "\(String(format: "%.2f", serial.wallSeconds / parallel.wallSeconds)) | \(String(format: "%.2f", control)) | \(ms(serial.cpuSeconds)) | \(ms(parallel.cpuSeconds)) | "
                      + "\(serial.bytes) | \(parallel.bytes) | \(String(format: "%.4f", Double(parallel.bytes) / Double(serial.bytes))) |")
            }
        }
        print("")
        print("## Where lanes start to pay: one rect of the 1080p desktop")
        print("")
        print("| rect | pixels | encoding | serial ms | parallel ms | speed-up |")
        print("|---|---:|---|---:|---:|---:|")
        let frame = TestImages.desktop(width: 1920, height: 1080)
        for (width, height) in [(256, 128), (256, 256), (512, 256), (512, 512)] {
            let rect = Rect(x: 300, y: 200, width: width, height: height)
            for encoding in [Encoding.zrle, .tight] {
                let serial = measure(encoding, frame: frame, damage: rect, parallelism: .serial, runs: runs * 4)
                let parallel = measure(encoding, frame: frame, damage: rect, parallelism: UpdateParallelism(lanes: cores, minimumPixels: 1),
                                       runs: runs * 4)
                print("| \(width)x\(height) | \(rect.area) | \(encoding) | \(String(format: "%.3f", serial.wallSeconds * 1000)) | "
                      + "\(String(format: "%.3f", parallel.wallSeconds * 1000)) | \(String(format: "%.2f", serial.wallSeconds / parallel.wallSeconds)) |")
            }
        }
    }

    /// The same arithmetic on one core and split into `lanes` with `concurrentPerform`, as the
    /// encoder's lanes are: the speed-up the machine allows at the moment, for comparison.
    static func spinControl(lanes: Int, runs: Int) -> (serial: Double, parallel: Double) {
        let total = 40_000_000
        final class Sink: @unchecked Sendable { var values = [UInt64](repeating: 0, count: 64) }
        let sink = Sink()
        @Sendable @inline(never) func spin(_ count: Int, seed: UInt64) -> UInt64 {
            var x = seed
            for j in 0..<count { x = x &* 6364136223846793005 &+ UInt64(truncatingIfNeeded: j) ^ (x >> 29) }
            return x
        }
        // Seeds read from the sink, so no run can be computed once and reused.
        let serial = median(times(runs) { sink.values[0] = spin(total, seed: sink.values[0]) })
        let parallel = median(times(runs) {
            DispatchQueue.concurrentPerform(iterations: lanes) { sink.values[$0 % 64] = spin(total / lanes, seed: sink.values[$0 % 64]) }
        })
        return (serial, parallel)
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

    static func memcpySeconds(_ frame: PixelBuffer, runs: Int) -> Double {
        var target = [UInt32](repeating: 0, count: frame.pixels.count)
        return median(times(runs) {
            frame.pixels.withUnsafeBytes { src in target.withUnsafeMutableBytes { dst in dst.copyMemory(from: src) } }
        })
    }

    /// One viewer's encoder sending `damage` of `frame` again and again (a persistent zlib stream,
    /// as a connection keeps it).
    static func measure(_ encoding: Encoding, frame: PixelBuffer, damage: Rect, parallelism: UpdateParallelism, runs: Int) -> Result {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make, parallelism: parallelism)
        encoder.configure(EncodingPreferences(requested: [encoding], supported: Set(EncoderRegistry.implemented)))
        let translator = PixelTranslator(format: .xrgb8888)
        var bytes = 0
        let pid = Int(getpid())
        let cpuBefore = ProcessCPUTime.seconds(of: pid) ?? 0
        let wall = frame.withView { view in
            times(runs) {
                let message = encoder.encodeUpdate(copies: [], damage: Region(damage), frame: view, translator: translator)
                bytes = message?.readableBytes ?? 0
            }
        }
        let cpu = (ProcessCPUTime.seconds(of: pid) ?? 0) - cpuBefore
        return Result(wallSeconds: median(wall), cpuSeconds: cpu / Double(runs + 1), bytes: bytes)
    }

    /// Seconds of each of `runs` calls of `body`, after one warm-up call.
    static func times(_ runs: Int, _ body: () -> Void) -> [Double] {
        body()
        return (0..<runs).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }
}
