import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders

/// Move detection on damage-only sources (docs/benchmarks.md, "Move detection"): a text area
/// scrolling by three lines a frame on a 1080p desktop, an 800x600 window dragged across a 4K
/// desktop, and new content that did not move. For each: the detector's time per frame against
/// memcmp of the same bytes (the damage bounds of the previous frame against an equal copy) in the same run, and the ZRLE bytes
/// per frame a viewer gets with and without detection. The pipeline is the server's: reported
/// damage, tile refinement, then detection; every frame's result is checked to be exact.
enum MoveDetectBenchmark {
    static let frameCount = 30

    struct Workload {
        var name: String
        var frames: [PixelBuffer]
        var damages: [Region]
    }

    static func scroll() -> Workload {
        var page = TextPage(seed: 5)
        var frame = TestImages.desktop(width: 1920, height: 1080)
        let area = Rect(x: 320, y: 60, width: 1280, height: 960)
        frame.blit(page.page(width: area.width, height: area.height), at: area.origin)
        var frames = [frame], damages: [Region] = []
        let step = 3 * TextPage.lineHeight
        for _ in 0..<frameCount {
            frame.copy(Rect(x: area.x, y: area.y + step, width: area.width, height: area.height - step), to: area.origin)
            for k in 0..<3 {
                page.drawLine(into: &frame, in: Rect(x: area.x, y: area.maxY - step + k * TextPage.lineHeight, width: area.width, height: TextPage.lineHeight))
            }
            frames.append(frame); damages.append(Region(area))
        }
        return Workload(name: "scroll 1280x960 by 60 px, 1920x1080", frames: frames, damages: damages)
    }

    static func drag() -> Workload {
        let background = TestImages.desktop(width: 3840, height: 2160)
        var page = TextPage(seed: 6)
        var window = page.page(width: 800, height: 600)
        window.fill(Rect(x: 0, y: 0, width: 800, height: 24), with: 0x0030_4a80)
        var at = Point(x: 600, y: 400)
        var frames: [PixelBuffer] = [], damages: [Region] = []
        for i in 0...frameCount {
            var frame = background
            let next = Point(x: at.x + 24, y: at.y + 13)
            frame.blit(window, at: i == 0 ? at : next)
            if i > 0 { damages.append(Region(Rect(origin: at, size: window.size)).union(Rect(origin: next, size: window.size))); at = next }
            frames.append(frame)
        }
        return Workload(name: "drag 800x600 by (24,13), 3840x2160", frames: frames, damages: damages)
    }

    static func noMove() -> Workload {
        var frame = TestImages.desktop(width: 1920, height: 1080)
        let area = Rect(x: 320, y: 60, width: 1280, height: 960)
        var frames = [frame], damages: [Region] = []
        for i in 0..<frameCount {
            var page = TextPage(seed: 100 + UInt64(i))
            frame.blit(page.page(width: area.width, height: area.height), at: area.origin)
            frames.append(frame); damages.append(Region(area))
        }
        return Workload(name: "new text 1280x960 (no move), 1920x1080", frames: frames, damages: damages)
    }

    static func run() {
        let refinery = DamageRefinery()
        let detector = MoveDetector()
        let translator = PixelTranslator(format: .xrgb8888)
        let supported = Set(EncoderRegistry.implemented + [.copyRect])
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var sink = 0

        print("")
        print("## Move detection, \(frameCount) frames each: median per frame")
        print("")
        print("| workload | moves found | detect ms | memcmp of the bounds, ms | ratio to memcmp | ZRLE bytes/frame without | with | ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for workload in [scroll(), drag(), noMove()] {
            var detectTimes: [Double] = [], memcmpTimes: [Double] = [], found = 0
            var bytes = [0, 0]
            var encoders = [0, 1].map { _ in
                var updates = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
                updates.configure(EncodingPreferences(requested: [.zrle, .copyRect], supported: supported))
                return updates
            }
            for i in 1...frameCount {
                let previous = workload.frames[i - 1], current = workload.frames[i]
                let refined = refinery.refine(FrameDamage(region: workload.damages[i - 1]), previous: previous, current: current)
                var detected = FrameDamage()
                let bounds = refined.region.bounds
                // memcmp against an equal copy reads every byte (frames that differ stop early).
                let twin = PixelBuffer(width: previous.width, height: previous.height, pixels: previous.pixels.map { $0 })
                twin.withView { same in previous.withView { old in current.withView { new in
                    // Paired in turn, so that load on the shared machine hits both alike.
                    var start = now()
                    for y in bounds.minY..<bounds.maxY { sink &+= Int(memcmp(old.row(y) + bounds.minX, same.row(y) + bounds.minX, bounds.width * 4)) }
                    memcmpTimes.append(Double(now() - start) / 1e6)
                    start = now()
                    detected = detector.detect(previous: old, current: new, damage: refined.region)
                    detectTimes.append(Double(now() - start) / 1e6)
                } } }
                found += detected.moves.count
                precondition(exact(previous, detected, current), "\(workload.name): frame \(i) is not exact")
                for (k, damage) in [refined, detected].enumerated() {
                    var pending = PendingUpdate(bounds: current.bounds)
                    pending.add(damage)
                    let (copies, region) = pending.take(requested: Region(current.bounds))
                    bytes[k] += current.withView { encoders[k].encodeUpdate(copies: copies, damage: region, frame: $0, translator: translator) }?.readableBytes ?? 0
                }
            }
            let d = median(detectTimes), m = median(memcmpTimes)
            let without = bytes[0] / frameCount, with = bytes[1] / frameCount
            print("| \(workload.name) | \(found)/\(frameCount) | \(String(format: "%.2f", d)) | \(String(format: "%.2f", m)) | \(String(format: "%.2f", d / m)) | \(without) | \(with) | \(String(format: "%.3f", Double(with) / Double(max(1, without)))) |")
        }
        if sink == 42 { print("") }
    }

    /// Whether the previous frame, with the moves applied and the damage's pixels copied in, is the current one.
    static func exact(_ previous: PixelBuffer, _ damage: FrameDamage, _ current: PixelBuffer) -> Bool {
        var picture = previous
        for move in damage.moves { picture.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin) }
        for r in damage.region.rects { picture.blit(current.cropped(to: r), at: r.origin) }
        return picture == current
    }
}
