@testable import Capture
import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// Pixel equality without a slow element-by-element loop in debug builds.
func same(_ a: PixelBuffer, _ b: PixelBuffer) -> Bool {
    a.size == b.size && a.pixels.withUnsafeBytes { pa in
        b.pixels.withUnsafeBytes { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
    }
}

@Suite struct DemoDesktopTests {
    /// What a viewer does with an update: copy the moves, then take the damaged pixels.
    private func apply(_ damage: FrameDamage, from frame: PixelBuffer, to viewer: inout PixelBuffer) {
        for move in damage.moves {
            viewer.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin)
        }
        for r in damage.region.rects {
            viewer.blit(frame.cropped(to: r), at: r.origin)
        }
    }

    /// The first pixel where two frames differ, for failure messages.
    private func firstDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> Point? {
        guard a.size == b.size, let i = a.pixels.indices.first(where: { a.pixels[$0] != b.pixels[$0] }) else { return nil }
        return Point(x: i % a.width, y: i / a.width)
    }

    /// A desktop drawn from scratch at `time`: the reference for the incremental frame.
    private func reference(size: Size, clockOffset: Double, time: Double) -> PixelBuffer {
        let d = DemoDesktop(size: size, clockOffset: clockOffset)
        _ = d.advance(to: time)
        d.resize(to: size)
        return d.frame
    }

    /// Replays `steps` frames of 1/30 s from `start`, checking that moves plus damage rebuild each
    /// new frame from the previous one exactly. Returns each step's damaged area.
    @discardableResult
    private func replay(size: Size, start: Double, steps: Int) -> [FrameDamage] {
        let desktop = DemoDesktop(size: size, clockOffset: 3599)
        _ = desktop.advance(to: start)
        var viewer = desktop.frame
        var log: [FrameDamage] = []
        for step in 1...steps {
            let damage = desktop.advance(to: start + Double(step) / 30)
            apply(damage, from: desktop.frame, to: &viewer)
            log.append(damage)
            if !same(viewer, desktop.frame) {
                Issue.record("step \(step) at \(size): viewer differs at \(String(describing: firstDifference(viewer, desktop.frame)))")
                return log
            }
        }
        let fresh = reference(size: size, clockOffset: 3599, time: start + Double(steps) / 30)
        if !same(desktop.frame, fresh) {
            Issue.record("incremental frame differs from a full redraw at \(String(describing: firstDifference(desktop.frame, fresh)))")
        }
        return log
    }

    @Test func damageRebuildsEveryFrameAtFullHD() {
        let log = replay(size: Size(width: 1920, height: 1080), start: 10, steps: 200)
        #expect(log.contains { !$0.moves.isEmpty }, "the sliding window should be reported as moves")
    }

    @Test(arguments: [Size(width: 320, height: 240), Size(width: 64, height: 64), Size(width: 1, height: 1), Size(width: 700, height: 90)])
    func damageRebuildsEveryFrameAtSmallSizes(size: Size) {
        replay(size: size, start: 3, steps: 200)
    }

    /// Frames are drawn into a ring of pictures (`PictureRing`); one a viewer still holds is never
    /// drawn over, and the ring's reused pictures still rebuild exactly.
    @Test func heldFramesStayAsTheyWereWhileTheRingTurns() {
        let desktop = DemoDesktop(size: Size(width: 640, height: 400), clockOffset: 3599)
        _ = desktop.advance(to: 10)
        var held: [(frame: PixelBuffer, copy: PixelBuffer)] = []
        for step in 1...90 {
            _ = desktop.advance(to: 10 + Double(step) / 30)
            if step % 7 == 0 { held.append((desktop.frame, desktop.frame.ownedCopy())) }
        }
        #expect(held.count == 12)
        for (index, entry) in held.enumerated() { #expect(same(entry.frame, entry.copy), "held frame \(index) changed") }
        #expect(same(desktop.frame, reference(size: Size(width: 640, height: 400), clockOffset: 3599, time: 13)))
    }

    /// While nobody watches, the output does not advance the demo (`PausesWhileUnwatched`); the
    /// first advance after that jumps seconds or minutes ahead, and its damage must still rebuild
    /// the frame (the terminal's loop, the sliding window's path and the clock's hour all wrap).
    @Test func damageIsExactAcrossLongJumps() {
        let size = Size(width: 800, height: 600)
        let desktop = DemoDesktop(size: size, clockOffset: 3599)
        var viewer = desktop.frame
        var time = 0.0
        let jumps: [Double] = [0.5, 7, 61, 0.033, 250, 3, 1800, 0.2, 95.5, 3600, 12, 0.01]
        for (index, jump) in jumps.enumerated() {
            time += jump
            let damage = desktop.advance(to: time)
            apply(damage, from: desktop.frame, to: &viewer)
            #expect(same(viewer, desktop.frame),
                    "jump \(index) of \(jump) s: viewer differs at \(String(describing: firstDifference(viewer, desktop.frame)))")
        }
        #expect(same(desktop.frame, reference(size: size, clockOffset: 3599, time: time)))
    }

    @Test func damageIsExactAcrossTheTerminalLoopEnd() {
        let loop = DemoTerminal().loopDuration
        replay(size: Size(width: 1024, height: 768), start: loop - 2, steps: 120)
    }

    @Test func typicalStepsDamageLittle() {
        let size = Size(width: 1920, height: 1080)
        let start = 40.0
        let log = replay(size: size, start: start, steps: 200)
        let layout = DemoLayout(size: size)
        let screen = size.area
        // Apart from the sliding window's trail, a step redraws typed characters, clock digits and
        // now and then the graph: far below 5% of the screen.
        var others: [Int] = []
        for (i, damage) in log.enumerated() {
            let before = Rect(origin: layout.photoOrigin(at: start + Double(i) / 30), size: layout.photoSize)
            let after = Rect(origin: layout.photoOrigin(at: start + Double(i + 1) / 30), size: layout.photoSize)
            let rest = damage.region.subtracting(DemoLayout.extent(of: before)).subtracting(DemoLayout.extent(of: after))
            others.append(rest.area)
        }
        others.sort()
        #expect(others[others.count / 2] < screen / 500, "median damage besides the sliding window: \(others[others.count / 2]) px")
        #expect(others.filter { $0 < screen / 20 }.count >= others.count * 9 / 10, "largest: \(others.suffix(10))")
        // The sliding window's copy covers nearly all of it; its trail (uncovered desktop and the
        // moving shadow) stays small.
        let photo = layout.photoSize.area
        for damage in log where !damage.moves.isEmpty {
            #expect(damage.moves.reduce(0) { $0 + $1.destination.area } > photo * 9 / 10)
        }
        let totals = log.map { $0.region.area }.sorted()
        #expect(totals[totals.count / 2] < screen / 50, "median damage \(totals[totals.count / 2]) px")
    }

    /// The terminal rings the bell once per pass of its session, when `swift build` has printed
    /// its last line; `takeBell()` reports it once, on the first advance past that moment.
    @Test func terminalRingsTheBellOncePerPass() throws {
        let terminal = DemoTerminal()
        let bell = try #require(terminal.bellTimes.first)
        #expect(terminal.bellTimes.count == 1)
        let desktop = DemoDesktop(size: Size(width: 320, height: 240))
        var rings: [Double] = []
        var t = 0.0
        while t < 2 * terminal.loopDuration {
            t += 1.0 / 30
            _ = desktop.advance(to: t)
            if desktop.takeBell() { rings.append(t) }
            #expect(!desktop.takeBell(), "a bell is reported once")
        }
        #expect(rings.count == 2, "\(rings)")
        for (pass, ring) in rings.enumerated() {
            let due = Double(pass) * terminal.loopDuration + bell
            #expect(ring >= due && ring < due + 1.0 / 30 + 1e-9, "rang at \(ring), due at \(due)")
        }
        // At that moment the build's last line has just appeared.
        let screen = terminal.screen(at: bell, columns: 80, rows: 24)
        let text = String(decoding: screen.cells.map(\.code), as: UTF8.self)
        #expect(text.contains("Build of product 'porthole' complete!"))
        #expect(!String(decoding: terminal.screen(at: bell - 0.01, columns: 80, rows: 24).cells.map(\.code), as: UTF8.self)
            .contains("Build of product"))
    }

    @Test func bellCountSpansPassesAndEmptyIntervals() {
        let terminal = DemoTerminal()
        let bell = terminal.bellTimes[0], loop = terminal.loopDuration
        #expect(terminal.bellCount(after: 0, upTo: bell - 0.001) == 0)
        #expect(terminal.bellCount(after: bell - 0.001, upTo: bell) == 1)
        #expect(terminal.bellCount(after: bell, upTo: bell + 0.5) == 0)
        #expect(terminal.bellCount(after: 0, upTo: 3 * loop) == 3)
        #expect(terminal.bellCount(after: 5, upTo: 5) == 0)
        #expect(terminal.bellCount(after: 7, upTo: 2) == 0)
    }

    @Test func idleTimeProducesNoDamage() {
        let desktop = DemoDesktop(size: Size(width: 640, height: 480))
        #expect(desktop.advance(to: 0).isEmpty)
        _ = desktop.advance(to: 5)
        #expect(desktop.advance(to: 5).isEmpty)
    }

    @Test func clockShowsTheTimeOfDayAndTicksEachSecond() {
        let layout = DemoLayout(size: Size(width: 1920, height: 1080))
        let terminal = DemoTerminal()
        let before = DemoState(time: 0.9, clockOffset: 13 * 3600 + 59 * 60 + 59, layout: layout, terminal: terminal)
        let after = DemoState(time: 1.1, clockOffset: 13 * 3600 + 59 * 60 + 59, layout: layout, terminal: terminal)
        #expect(String(decoding: before.clock, as: UTF8.self) == "13:59:59")
        #expect(String(decoding: after.clock, as: UTF8.self) == "14:00:00")
        #expect(String(decoding: DemoState(time: 2, clockOffset: 86_399, layout: layout, terminal: terminal).clock, as: UTF8.self) == "00:00:01")

        let desktop = DemoDesktop(size: layout.size, clockOffset: 59.95)
        let tick = desktop.advance(to: 0.1)
        let clock = Rect(origin: layout.clockOrigin, size: Size(width: DemoFont.width(8), height: DemoFont.cellHeight))
        #expect(!tick.region.intersection(clock).isEmpty, "the clock's digits must be damaged when the second changes")
        #expect(tick.region.intersection(layout.panel).subtracting(clock).isEmpty, "only the clock changes in the panel")
    }

    @Test func resizeLaysOutAnewWithFullDamage() {
        let desktop = DemoDesktop(size: Size(width: 1920, height: 1080))
        _ = desktop.advance(to: 7)
        for size in [Size(width: 1280, height: 720), Size(width: 64, height: 64), Size(width: 0, height: 0), Size(width: 3000, height: 200)] {
            let damage = desktop.resize(to: size)
            let expected = Size(width: max(1, size.width), height: max(1, size.height))
            #expect(desktop.frame.size == expected)
            #expect(damage == .full(Rect(size: expected)))
            #expect(same(desktop.frame, reference(size: expected, clockOffset: 0, time: 7)))
        }
        // After a resize the damage keeps rebuilding frames exactly.
        desktop.resize(to: Size(width: 800, height: 600))
        var viewer = desktop.frame
        for step in 1...30 {
            apply(desktop.advance(to: 7 + Double(step) / 30), from: desktop.frame, to: &viewer)
        }
        #expect(same(viewer, desktop.frame))
    }

    @Test func terminalTypesOneCharacterAtATime() {
        let terminal = DemoTerminal()
        let layout = DemoLayout(size: Size(width: 1920, height: 1080))
        var typed = 0
        var previous = terminal.screen(at: 0, columns: layout.terminalColumns, rows: layout.terminalRows)
        for step in 1...300 {
            let screen = terminal.screen(at: Double(step) / 30, columns: layout.terminalColumns, rows: layout.terminalRows)
            let changed = zip(previous.cells, screen.cells).filter { $0.code != $1.code }.count
            if changed == 1 { typed += 1 }
            previous = screen
        }
        #expect(typed > 20, "characters should appear one by one")
    }

    @Test func stillImageSourceNeverChanges() {
        let image = PixelBuffer(width: 8, height: 4, fill: 0x336699)
        let source = StillImageSource(image)
        #expect(source.frame == image)
        #expect(source.advance(to: 0).isEmpty)
        #expect(source.advance(to: 100).isEmpty)
        #expect(source.frame == image)
    }
}

/// Drawing must not depend on the clip: redrawing any rectangle alone gives the pixels of a full
/// redraw. This is what makes partial redraws (and so the reported damage) trustworthy.
@Suite struct DemoSceneTests {
    @Test(arguments: [Size(width: 1920, height: 1080), Size(width: 800, height: 600), Size(width: 150, height: 100)])
    func anyRectangleRedrawsLikeTheWholeFrame(size: Size) {
        let layout = DemoLayout(size: size)
        let terminal = DemoTerminal()
        var rng = SplitMix(seed: UInt64(size.width))
        for time in [1.0, 17.3, 33.1, 51.7] {
            let scene = DemoScene(layout: layout, state: DemoState(time: time, clockOffset: 45_000, layout: layout, terminal: terminal),
                                  wallpaper: DemoWallpaper.render(size: size))
            var full = PixelBuffer(width: size.width, height: size.height)
            full.pixels.withUnsafeMutableBufferPointer { p in
                scene.draw(on: DemoCanvas(base: p.baseAddress!, width: size.width, height: size.height, clip: Rect(size: size)))
            }
            for _ in 0..<60 {
                let w = Int(rng.next() % 300) + 1, h = Int(rng.next() % 200) + 1
                let clip = Rect(x: Int(rng.next() % UInt64(size.width)), y: Int(rng.next() % UInt64(size.height)), width: w, height: h)
                    .intersection(Rect(size: size))
                var partial = full
                partial.fill(clip, with: 0xff00ff)
                partial.pixels.withUnsafeMutableBufferPointer { p in
                    scene.draw(on: DemoCanvas(base: p.baseAddress!, width: size.width, height: size.height, clip: clip))
                }
                if !same(partial, full) {
                    let i = partial.pixels.indices.first { partial.pixels[$0] != full.pixels[$0] }!
                    Issue.record("redrawing \(clip) at t=\(time) differs at (\(i % size.width),\(i / size.width))")
                    return
                }
            }
        }
    }
}
