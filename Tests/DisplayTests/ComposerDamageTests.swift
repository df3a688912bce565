import PortholeTestSupport
import Testing
import Geometry
import Pixels
@testable import Display

/// Partial recomposition is checked against full recomposition on random scenes: layers of every
/// format, scaled up, down and by odd ratios, partly off screen, translucent; frames that draw
/// into framebuffers (reporting the damage) or move, restack and re-source layers.
struct ComposerDamageTests {
    static let outputSize = Size(width: 23, height: 17)

    struct Scene {
        var layers: [ComposerLayer] = []
        var memories: [TestMemory] = []
    }

    func randomLayer(_ index: Int, _ framebuffer: Framebuffer, type: PlaneType, rng: inout SplitMix) -> ComposerLayer {
        ComposerLayer(plane: PlaneID(UInt32(100 + index)), type: type, framebuffer: framebuffer,
                      state: randomState(for: framebuffer, rng: &rng))
    }

    func randomState(for framebuffer: Framebuffer, rng: inout SplitMix) -> PlaneState {
        // Source: a random sub-rect in 16.16, sometimes starting between pixels.
        let sx = rng.int(0...(framebuffer.width - 1)), sy = rng.int(0...(framebuffer.height - 1))
        let sw = rng.int(1...(framebuffer.width - sx)), sh = rng.int(1...(framebuffer.height - sy))
        let fraction = rng.bool() && sw > 1 ? rng.int(0...0xffff) : 0
        let source = SourceRect(fixedX: (sx << 16) + fraction, y: sy << 16, width: (sw << 16) - fraction, height: sh << 16)
        let destination = Rect(x: rng.int(-5...20), y: rng.int(-5...14), width: rng.int(1...30), height: rng.int(1...20))
        let alpha: UInt16 = rng.int(0...3) == 0 ? UInt16(rng.int(0...0xffff)) : 0xffff
        return PlaneState(framebuffer: framebuffer.id, source: source, destination: destination, zPosition: rng.int(0...3), alpha: alpha)
    }

    func makeScene(rng: inout SplitMix) -> Scene {
        var scene = Scene()
        let count = rng.int(1...4)
        for index in 0..<count {
            let format = FourCC.allCases[rng.int(0...(FourCC.allCases.count - 1))]
            let width = rng.int(1...12), height = rng.int(1...12)
            let pixels = (0..<(width * height)).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
            let (framebuffer, memory) = makeFramebuffer(UInt32(index + 1), format: format, width: width, height: height,
                                                        pixels: pixels, padding: rng.int(0...1) * 4, offset: rng.int(0...2) * 4)
            let type: PlaneType = index == 0 ? .primary : (index == 3 ? .cursor : .overlay)
            scene.layers.append(randomLayer(index, framebuffer, type: type, rng: &rng))
            scene.memories.append(memory)
        }
        return scene
    }

    /// Changes the scene like a producer would and returns the damage it reports.
    func change(_ scene: inout Scene, rng: inout SplitMix) -> [PlaneID: PlaneDamage] {
        var damage: [PlaneID: PlaneDamage] = [:]
        for index in scene.layers.indices {
            let layer = scene.layers[index], framebuffer = layer.framebuffer
            switch rng.int(0...5) {
            case 0, 1:
                // Draw into a few rects and report exactly them.
                var rects: [Rect] = []
                for _ in 0..<rng.int(1...3) {
                    let x = rng.int(0...(framebuffer.width - 1)), y = rng.int(0...(framebuffer.height - 1))
                    let rect = Rect(x: x, y: y, width: rng.int(1...(framebuffer.width - x)), height: rng.int(1...(framebuffer.height - y)))
                    for py in rect.minY..<rect.maxY {
                        for px in rect.minX..<rect.maxX {
                            let d = framebuffer.descriptor
                            store(UInt32(truncatingIfNeeded: rng.next()), format: framebuffer.format, in: scene.memories[index],
                                  at: d.offset + py * d.stride + px * framebuffer.format.bytesPerPixel)
                        }
                    }
                    rects.append(rect)
                }
                damage[layer.plane] = .rects(rects)
            case 2:
                scene.layers[index].state = randomState(for: framebuffer, rng: &rng)
            case 3:
                scene.layers[index].state.destination = layer.state.destination.offsetBy(dx: rng.int(-3...3), dy: rng.int(-3...3))
            case 4:
                scene.layers[index].state.zPosition = rng.int(0...3)
            default:
                break
            }
        }
        return damage
    }

    @Test func partialRecompositionEqualsFullRecomposition() {
        var rng = SplitMix(seed: 2026)
        for cursorComposed in [false, true] {
            for _ in 0..<120 {
                var scene = makeScene(rng: &rng)
                var incremental = Composer(includesCursorPlane: cursorComposed)
                _ = incremental.compose(size: Self.outputSize, layers: scene.layers, planeDamage: [:])
                for _ in 0..<5 {
                    let previous = incremental.scanout
                    let reported = change(&scene, rng: &rng)
                    // Sometimes a layer disappears or comes back.
                    let layers = rng.int(0...7) == 0 ? Array(scene.layers.dropLast()) : scene.layers
                    let damage = incremental.compose(size: Self.outputSize, layers: layers, planeDamage: reported)
                    var fresh = Composer(includesCursorPlane: cursorComposed)
                    _ = fresh.compose(size: Self.outputSize, layers: layers, planeDamage: [:])
                    #expect(firstDifference(incremental.scanout, fresh.scanout) == nil)
                    // The reported damage is exact enough to update a copy of the previous frame.
                    var patched = previous
                    for rect in damage.region.rects { patched.blit(fresh.scanout.cropped(to: rect), at: rect.origin) }
                    #expect(firstDifference(patched, fresh.scanout) == nil)
                    #expect(damage.moves.isEmpty)
                    if patched != fresh.scanout || incremental.scanout != fresh.scanout { return }
                }
            }
        }
    }

    /// The composer draws each frame into the picture it handed out the frame before last
    /// (`PictureRing`), brought up to date first. Here a viewer keeps every picture, so each flip
    /// finds its spare still shared (and Swift copies it): the pictures must still be exact.
    @Test func partialRecompositionIsExactWhileEveryPictureIsKept() {
        var rng = SplitMix(seed: 77)
        for _ in 0..<40 {
            var scene = makeScene(rng: &rng)
            var incremental = Composer()
            _ = incremental.compose(size: Self.outputSize, layers: scene.layers, planeDamage: [:])
            var kept = [incremental.scanout]
            for _ in 0..<6 {
                let reported = change(&scene, rng: &rng)
                _ = incremental.compose(size: Self.outputSize, layers: scene.layers, planeDamage: reported)
                var fresh = Composer()
                _ = fresh.compose(size: Self.outputSize, layers: scene.layers, planeDamage: [:])
                #expect(firstDifference(incremental.scanout, fresh.scanout) == nil)
                kept.append(incremental.scanout)
            }
        }
    }

    /// The first pixel where two pictures differ, for short failure messages.
    func firstDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> Point? {
        guard a.size == b.size else { return Point(x: -1, y: -1) }
        guard let index = a.pixels.indices.first(where: { a.pixels[$0] != b.pixels[$0] }) else { return nil }
        return Point(x: index % a.width, y: index / a.width)
    }

    @Test func damageIsMappedThroughScalingExactly() throws {
        let (framebuffer, _) = makeFramebuffer(1, format: .xrgb8888, width: 4, height: 4, pixels: Array(repeating: 0, count: 16))
        let layer = ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer,
                                  state: PlaneState(framebuffer: framebuffer.id, source: SourceRect(Rect(x: 0, y: 0, width: 4, height: 4)),
                                                    destination: Rect(x: 3, y: 2, width: 8, height: 8)))
        let bounds = Rect(x: 0, y: 0, width: 20, height: 20)
        // 2x up: source pixel (1, 1) is shown by the 2x2 block at (3 + 2, 2 + 2).
        #expect(Composer.outputRects(of: .rects([Rect(x: 1, y: 1, width: 1, height: 1)]), on: layer, bounds: bounds)
                == [Rect(x: 5, y: 4, width: 2, height: 2)])
        var halved = layer
        halved.state.destination = Rect(x: 0, y: 0, width: 2, height: 2)
        // 0.5x down: destination pixels sample source 1 and 3, so source pixel 0 is shown nowhere.
        #expect(Composer.outputRects(of: .rects([Rect(x: 0, y: 0, width: 1, height: 1)]), on: halved, bounds: bounds).isEmpty)
        #expect(Composer.outputRects(of: .rects([Rect(x: 1, y: 0, width: 3, height: 2)]), on: halved, bounds: bounds)
                == [Rect(x: 0, y: 0, width: 2, height: 1)])
        #expect(Composer.outputRects(of: .full, on: halved, bounds: bounds) == [Rect(x: 0, y: 0, width: 2, height: 2)])
    }

    @Test func unchangedFramesRedrawNothing() {
        let (framebuffer, _) = makeFramebuffer(1, format: .xrgb8888, width: 4, height: 4, pixels: Array(repeating: 7, count: 16))
        let layers = [ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer, state: PlaneState(framebuffer: framebuffer.id, size: Size(width: 4, height: 4)))]
        var composer = Composer()
        #expect(composer.compose(size: Size(width: 4, height: 4), layers: layers, planeDamage: [:]) == .full(Rect(x: 0, y: 0, width: 4, height: 4)))
        #expect(composer.compose(size: Size(width: 4, height: 4), layers: layers, planeDamage: [PlaneID(1): .rects([])]).isEmpty)
        // A new size redraws everything.
        #expect(composer.compose(size: Size(width: 5, height: 4), layers: layers, planeDamage: [:]) == .full(Rect(x: 0, y: 0, width: 5, height: 4)))
        #expect(composer.scanout[4, 0] == 0)
    }
}

/// A double-buffered producer's page flip: another framebuffer in the same place, with damage.
struct ComposerSwapTests {
    @Test func aSwapWithDamageRedrawsOnlyTheDamageAndAgreesWithAFullRedraw() {
        let size = Size(width: 8, height: 6)
        let old = Array(repeating: UInt32(0x0010_2030), count: 48)
        var new = old
        new[2 * 8 + 3] = 0x00ff_0000
        let (first, _) = makeFramebuffer(1, format: .xrgb8888, width: 8, height: 6, pixels: old)
        let (second, _) = makeFramebuffer(2, format: .xrgb8888, width: 8, height: 6, pixels: new)
        func layer(_ framebuffer: Framebuffer) -> [ComposerLayer] {
            [ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer, state: PlaneState(framebuffer: framebuffer.id, size: size))]
        }
        var composer = Composer()
        _ = composer.compose(size: size, layers: layer(first), planeDamage: [:])
        let damage = composer.compose(size: size, layers: layer(second), planeDamage: [PlaneID(1): .rects([Rect(x: 3, y: 2, width: 1, height: 1)])])
        #expect(damage.region == Region(Rect(x: 3, y: 2, width: 1, height: 1)))
        var full = Composer()
        _ = full.compose(size: size, layers: layer(second), planeDamage: [:])
        #expect(composer.scanout == full.scanout)
        // Without damage for the plane, a swap still redraws the whole plane.
        #expect(composer.compose(size: size, layers: layer(first), planeDamage: [:]).region == Region(Rect(size: size)))
        // Moving the plane redraws old and new places whatever the damage says.
        var moved = layer(second)
        moved[0].state.destination = Rect(x: 1, y: 0, width: 7, height: 6)
        #expect(composer.compose(size: size, layers: moved, planeDamage: [PlaneID(1): .rects([])]).region == Region(Rect(size: size)))
    }
}
