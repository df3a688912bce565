import Display
import Geometry
import Pixels
import Testing
@testable import X11Capture

/// The X11 mirror's frames as viewers see them: the damage taken from the X server, read into the
/// frame through `DamageReadPlan` and `PictureRing`, reported, refined against the previous frame
/// (`DamageRefinery`, as the output does) and copied into a model viewer's picture. An X client
/// keeps drawing between the damage being taken (DamageSubtract) and the reads, as it does while
/// the mirror reads; whatever it draws, the viewer must end with the screen's picture.
@Suite struct MirrorDamageTests {
    /// The X server's screen and its damage object (level NonEmpty: a region that grows until taken).
    struct FakeScreen {
        var pixels: PixelBuffer
        var damage = Region()
        mutating func draw(_ rect: Rect, colour: UInt32) {
            pixels.fill(rect, with: colour)
            damage = damage.union(Region(rect))
        }
        mutating func take() -> [Rect] {
            defer { damage = Region() }
            return damage.rects
        }
    }

    /// The mirror's side: the frame it reads into and publishes, and a viewer of it.
    struct Mirror {
        var frame: PixelBuffer
        var flip = PictureRing()
        var published: PixelBuffer
        var viewer: PixelBuffer
        let refinery = DamageRefinery(comparer: TileComparer(tileSize: 16))

        init(screen: PixelBuffer) { frame = screen; published = screen; viewer = screen }

        /// One frame as X11Session.update and LiveOutput.publish make it, with `meanwhile` drawn
        /// on the screen after the damage was taken and before it is read.
        mutating func advance(_ screen: inout FakeScreen, meanwhile: (inout FakeScreen) -> Void = { _ in }) {
            let rects = screen.take()
            meanwhile(&screen)
            let plan = DamageReadPlan(damage: rects, bounds: frame.bounds)
            flip.flip(&frame, redrawn: plan.region)
            for rect in plan.reads { frame.blit(screen.pixels.cropped(to: rect), at: rect.origin) }
            let damage = FrameDamage(region: plan.region)
            if damage.isEmpty { flip.undo(&frame) } else { flip.finish(front: frame, drawn: damage.region) }
            let refined = refinery.refine(damage, previous: published, current: frame)
            published = frame
            for r in refined.region.rects { viewer.blit(frame.cropped(to: r), at: r.origin) }
        }
    }

    /// Two glyphs are read as one box; a third drawn between them after the damage was taken is
    /// read early with that box. Its own damage comes in the next frame, where the frame already
    /// held it: had the box's extra pixels not been reported, the refinery would find nothing
    /// changed there and no viewer would ever get the third glyph.
    @Test func drawingInsideAMergedReadAfterTheDamageWasTakenReachesViewers() {
        var screen = FakeScreen(pixels: PixelBuffer(width: 200, height: 100, fill: 0xf5f5f5))
        var mirror = Mirror(screen: screen.pixels)
        screen.draw(Rect(x: 10, y: 10, width: 8, height: 8), colour: 0x2e3440)
        screen.draw(Rect(x: 40, y: 10, width: 8, height: 8), colour: 0x2e3440)
        mirror.advance(&screen) { $0.draw(Rect(x: 25, y: 12, width: 4, height: 4), colour: 0x5e81ac) }
        mirror.advance(&screen)
        #expect(differing(mirror.published, screen.pixels) == 0)
        #expect(differing(mirror.viewer, screen.pixels) == 0)
    }

    /// A window dragged as feed-x11 drags it (bench/run-peers.sh, drag): each step puts the old
    /// place and then the new one, each in bands of rows, and the mirror reads at arbitrary points
    /// in between, with more bands drawn between the damage being taken and the reads. After the
    /// drag stops, the viewer holds the screen's picture.
    @Test func aDragDrawnInBandsWhileTheMirrorReadsEndsExact() {
        let desk = PixelBuffer(width: 160, height: 120, pixels: (0..<(160 * 120)).map { UInt32($0 % 7 == 0 ? 0x4c566a : 0x88c0d0) })
        var screen = FakeScreen(pixels: desk)
        var mirror = Mirror(screen: desk)
        func window(_ k: Int) -> Rect { Rect(x: 10 + 4 * k, y: 8 + 2 * k, width: 40, height: 30) }
        /// Pixel (x, y) of the picture with the window at `w`: its content moves with it.
        func pixel(_ x: Int, _ y: Int, _ w: Rect) -> UInt32 {
            guard w.contains(Point(x: x, y: y)) else { return desk[x, y] }
            return y - w.y < 4 ? 0x5e81ac : UInt32(((x - w.x) * 7 + (y - w.y) * 3) % 5 == 0 ? 0x2e3440 : 0xf5f5f5)
        }
        var bands: [(Rect, Int)] = []
        for k in 1...12 {
            for r in [window(k - 1), window(k)] {
                for y in stride(from: r.y, to: r.maxY, by: 7) { bands.append((Rect(x: r.x, y: y, width: r.width, height: min(7, r.maxY - y)), k)) }
            }
        }
        func drawNext(_ screen: inout FakeScreen, _ count: Int) {
            for _ in 0..<min(count, bands.count) {
                let (band, k) = bands.removeFirst()
                for y in band.minY..<band.maxY { for x in band.minX..<band.maxX { screen.pixels[x, y] = pixel(x, y, window(k)) } }
                screen.damage = screen.damage.union(Region(band))
            }
        }
        var turn = 0
        while !bands.isEmpty {
            turn += 1
            drawNext(&screen, turn % 3 + 1)
            mirror.advance(&screen) { drawNext(&$0, turn % 4) }
        }
        mirror.advance(&screen)
        #expect(differing(mirror.published, screen.pixels) == 0)
        #expect(differing(mirror.viewer, screen.pixels) == 0)
    }

    private func differing(_ a: PixelBuffer, _ b: PixelBuffer) -> Int {
        zip(a.pixels, b.pixels).filter { $0 != $1 }.count
    }
}
