import Display
import Foundation
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders

/// A 640x360 video playing in a 1920x1080 desktop, 90 frames at 30 fps, as one viewer receives it:
/// lossless (ZRLE, Tight without a QualityLevel) against Tight with QualityLevel 6, lossy where the
/// content suits (the server's path), and the cost of the lossless refresh of what went JPEG once
/// the video stops (`LossyRefreshTracker`; docs/benchmarks.md, "Lossy, then exact once settled").
///
/// The video is deterministic and natural-looking rather than noise: smooth moving gradients,
/// three shaded discs on Lissajous paths, and ±3 levels of per-pixel grain like a camera's.
enum LossyVideoBenchmark {
    static let size = Size(width: 1920, height: 1080)
    static let video = Rect(x: 640, y: 360, width: 640, height: 360)
    static let frameCount = 90
    static let frameInterval = Duration.milliseconds(33)

    static func drawVideoFrame(_ t: Int, into picture: inout PixelBuffer) {
        let time = Double(t)
        let discs: [(x: Double, y: Double, r: Double, colour: (Double, Double, Double))] = (0..<3).map { k in
            let kk = Double(k)
            return (320 + 230 * sin(time * (0.031 + 0.011 * kk) + kk * 2), 180 + 120 * cos(time * (0.027 + 0.007 * kk) + kk),
                    50 + 15 * kk, (k == 0 ? 230 : 60, k == 1 ? 210 : 70, k == 2 ? 220 : 90))
        }
        let width = picture.width
        picture.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<video.height {
                for x in 0..<video.width {
                    let fx = Double(x), fy = Double(y)
                    var r = 128 + 90 * sin(fx * 0.009 + time * 0.05)
                    var g = 128 + 90 * sin(fy * 0.012 - time * 0.04)
                    var b = 128 + 90 * sin((fx + fy) * 0.006 + time * 0.03)
                    for disc in discs {
                        let d = ((fx - disc.x) * (fx - disc.x) + (fy - disc.y) * (fy - disc.y)).squareRoot()
                        if d < disc.r {
                            let shade = 1 - 0.5 * d / disc.r
                            (r, g, b) = (disc.colour.0 * shade, disc.colour.1 * shade, disc.colour.2 * shade)
                        }
                    }
                    var h = UInt32(truncatingIfNeeded: x &* 73_856_093 ^ y &* 19_349_663 ^ t &* 83_492_791)
                    h = (h ^ (h >> 13)) &* 0x5bd1_e995
                    let grain = Double(Int(h >> 29)) - 3.5
                    func channel(_ v: Double) -> UInt32 { UInt32(max(0, min(255, v + grain))) }
                    p[(video.y + y) * width + video.x + x] = channel(r) << 16 | channel(g) << 8 | channel(b)
                }
            }
        }
    }

    struct Outcome {
        var bytes: [Int] = []
        var nanoseconds: [Double] = []
        var jpegFrames = 0
        var refreshBytes = 0
        var refreshNanoseconds = 0.0
    }

    /// Plays the video to one viewer with `requested` encodings; with `refresh`, the tiles the
    /// encoder wrote lossy are tracked as the server does and refreshed losslessly at the end.
    static func play(_ requested: [Encoding], refresh refreshing: Bool) -> Outcome {
        var picture = TestImages.desktop(width: size.width, height: size.height)
        let translator = PixelTranslator(format: .xrgb8888)
        var updates = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
        updates.configure(EncodingPreferences(requested: requested, supported: Set(EncoderRegistry.implemented + [.copyRect])))
        var tracker = LossyRefreshTracker(bounds: picture.bounds)
        var outcome = Outcome()
        var now = Duration.seconds(10)
        func send(_ damage: Region, lossyArea: Region?) -> (Int, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let bytes = picture.withView { updates.encodeUpdate(copies: [], damage: damage, frame: $0, translator: translator, lossyArea: lossyArea) }?
                .readableBytes ?? 0
            return (bytes, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        for t in 0..<frameCount {
            drawVideoFrame(t, into: &picture)
            let damage = Region(video)
            tracker.recordUpdate(changed: damage, at: now)
            let (bytes, ns) = send(damage, lossyArea: nil)
            let lossy = updates.takeLossyAreas()
            tracker.markLossy(lossy, at: now)
            if !lossy.isEmpty { outcome.jpegFrames += 1 }
            outcome.bytes.append(bytes)
            outcome.nanoseconds.append(ns)
            now += frameInterval
        }
        if refreshing, let settle = tracker.nextSettleTime {
            let refresh = tracker.takeSettled(at: settle)
            (outcome.refreshBytes, outcome.refreshNanoseconds) = send(refresh, lossyArea: Region())
        }
        return outcome
    }

    static func run() {
        print("")
        print("## Video \(video.width)x\(video.height) in a \(size.width)x\(size.height) desktop, \(frameCount) frames at 30 fps")
        print("")
        var region = [UInt32](repeating: 0, count: video.area), copy = region
        let memcpyNanoseconds = median((0..<31).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            region.withUnsafeMutableBytes { dst in copy.withUnsafeBytes { src in dst.copyMemory(from: src) } }
            region[0] &+= 1
            return Double(DispatchTime.now().uptimeNanoseconds - start)
        })
        copy[0] = region[0]
        let quality6 = Encoding(Encoding.qualityLevel0.rawValue + 6)
        let variants: [(String, [Encoding], Bool)] = [
            ("ZRLE", [.zrle], false),
            ("Tight lossless (no QualityLevel)", [.tight], false),
            ("Tight q6, lossy, refreshed once settled", [.tight, quality6], true),
        ]
        print("| viewer | bytes/frame (median) | encode ms/frame (median) | bytes vs ZRLE | time vs ZRLE | JPEG frames | refresh bytes | refresh ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        var zrle: (bytes: Double, ms: Double)?
        for (name, requested, refreshing) in variants {
            let o = play(requested, refresh: refreshing)
            let bytes = median(o.bytes.map(Double.init)), ms = median(o.nanoseconds) / 1e6
            let base = zrle ?? (bytes, ms)
            if zrle == nil { zrle = base }
            let refresh = refreshing ? (String(o.refreshBytes), String(format: "%.2f", o.refreshNanoseconds / 1e6)) : ("-", "-")
            print("| \(name) | \(Int(bytes)) | \(String(format: "%.2f", ms)) | \(String(format: "%.3f", bytes / base.bytes)) | "
                  + "\(String(format: "%.3f", ms / base.ms)) | \(refreshing ? "\(o.jpegFrames)/\(frameCount)" : "-") | \(refresh.0) | \(refresh.1) |")
        }
        print("")
        print("memcpy of the \(video.width)x\(video.height) region: \(String(format: "%.3f", memcpyNanoseconds / 1e6)) ms (median of 31)")
    }
}
