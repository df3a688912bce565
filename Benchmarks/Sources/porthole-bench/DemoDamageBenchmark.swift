import Capture
import Display
import Foundation
import Geometry
import NIOCore
import Pixels
import RFB
import RFBEncoders

/// The demo desktop, 1920x1080, 300 frames at 30 fps, as one or several viewers would receive it:
/// what damage refinement removes from what the desktop reports, and what encode-once saves when
/// several Hextile viewers share a pixel format (docs/benchmarks.md, "Refinement and encode once").
enum DemoDamageBenchmark {
    static let size = Size(width: 1920, height: 1080)
    static let frameCount = 300

    /// Keeps the current frame's encoded rectangles for the other viewers, like the server's
    /// EncodedRectangleCache (without its lock, the benchmark runs on one thread).
    final class FrameRectangles: EncodedRectangleSharing {
        var entries: [Rect: (bytes: ByteBuffer, count: Int)] = [:]
        func encodedRectangle(_ rect: Rect) -> (bytes: ByteBuffer, count: Int)? { entries[rect] }
        func share(_ rect: Rect, bytes: ByteBuffer, count: Int) { entries[rect] = (bytes, count) }
    }

    static func run() {
        let translator = PixelTranslator(format: .xrgb8888)
        let supported = Set(EncoderRegistry.implemented + [.copyRect])
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

        // Refinement: reported damage against refined damage, and ZRLE bytes for each.
        print("")
        print("## Demo desktop, \(size.width)x\(size.height), \(frameCount) frames: damage as reported and refined")
        print("")
        print("| damage | pixels/frame | ZRLE bytes/frame | refine ms/frame |")
        print("|---|---:|---:|---:|")
        let refinery = DamageRefinery()
        for refined in [false, true] {
            let desktop = DemoDesktop(size: size, clockOffset: 12 * 3600)
            var updates = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
            updates.configure(EncodingPreferences(requested: [.zrle, .copyRect], supported: supported))
            var previous = desktop.frame
            var pixels = 0, bytes = 0, refineNanoseconds: UInt64 = 0
            for i in 1...frameCount {
                var damage = desktop.advance(to: Double(i) / 30)
                let current = desktop.frame
                if refined {
                    let start = now()
                    damage = refinery.refine(damage, previous: previous, current: current)
                    refineNanoseconds += now() - start
                }
                previous = current
                var pending = PendingUpdate(bounds: current.bounds)
                pending.add(damage)
                let (copies, region) = pending.take(requested: Region(current.bounds))
                pixels += region.area
                bytes += current.withView { updates.encodeUpdate(copies: copies, damage: region, frame: $0, translator: translator) }?.readableBytes ?? 0
            }
            let refineMs = refined ? String(format: "%.3f", Double(refineNanoseconds) / 1e6 / Double(frameCount)) : "-"
            print("| \(refined ? "refined (64x64 tiles)" : "as reported") | \(pixels / frameCount) | \(bytes / frameCount) | \(refineMs) |")
        }

        // Encode once: N Hextile viewers in one format, each encoding every frame's damage.
        print("")
        print("## Demo desktop, \(frameCount) frames: N Hextile viewers in one pixel format")
        print("")
        print("| viewers | encode ms/frame, each its own | encode ms/frame, shared | ratio |")
        print("|---:|---:|---:|---:|")
        for viewers in [1, 2, 4] {
            var totals: [Bool: Double] = [:]
            for shared in [false, true] {
                let desktop = DemoDesktop(size: size, clockOffset: 12 * 3600)
                var encoders = (0..<viewers).map { _ in
                    var e = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
                    e.configure(EncodingPreferences(requested: [.hextile], supported: supported))
                    return e
                }
                var nanoseconds: UInt64 = 0
                for i in 1...frameCount {
                    let damage = desktop.advance(to: Double(i) / 30)
                    let frame = desktop.frame
                    var pending = PendingUpdate(bounds: frame.bounds)
                    pending.add(damage)
                    let (copies, region) = pending.take(requested: Region(frame.bounds))
                    let store = shared ? FrameRectangles() : nil
                    let start = now()
                    for v in 0..<viewers {
                        _ = frame.withView { encoders[v].encodeUpdate(copies: copies, damage: region, frame: $0, translator: translator, sharing: store) }
                    }
                    nanoseconds += now() - start
                }
                totals[shared] = Double(nanoseconds) / 1e6 / Double(frameCount)
            }
            let own = totals[false]!, shared = totals[true]!
            print("| \(viewers) | \(String(format: "%.2f", own)) | \(String(format: "%.2f", shared)) | \(String(format: "%.2f", shared / own)) |")
        }
    }
}
