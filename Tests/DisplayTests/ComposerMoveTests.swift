import PortholeTestSupport
import Testing
import Geometry
import Pixels
@testable import Display

/// Producers' moves (docs/protocol.md §5.8, version 1.2) through the composer: on random scenes
/// (every format, scaling, translucency, overlays over the moved plane, planes partly off screen)
/// a producer moves pixels inside a framebuffer, reports the move and maybe some damage, and a
/// model viewer that applies the returned moves to the previous picture and then copies the
/// returned region must end with the fully recomposed picture.
struct ComposerMoveTests {
    let scenes = ComposerDamageTests()

    /// Moves a random block of `layer`'s framebuffer by a random offset inside it, as a producer
    /// scrolling its content would, and returns the move in framebuffer pixels.
    func moveContent(of layer: ComposerLayer, memory: TestMemory, rng: inout SplitMix) -> CopyMove? {
        let framebuffer = layer.framebuffer
        let w = framebuffer.width, h = framebuffer.height
        guard w > 1 || h > 1 else { return nil }
        let dx = rng.int(-(w - 1)...(w - 1)), dy = rng.int(-(h - 1)...(h - 1))
        let width = rng.int(1...(w - abs(dx))), height = rng.int(1...(h - abs(dy)))
        let sx = rng.int(max(0, -dx)...(w - width - max(0, dx))), sy = rng.int(max(0, -dy)...(h - height - max(0, dy)))
        let d = framebuffer.descriptor, bpp = framebuffer.format.bytesPerPixel
        let before = memory.bytes
        for row in 0..<height {
            let from = d.offset + (sy + row) * d.stride + sx * bpp
            let to = d.offset + (sy + dy + row) * d.stride + (sx + dx) * bpp
            memory.bytes.replaceSubrange(to..<to + width * bpp, with: before[from..<from + width * bpp])
        }
        return CopyMove(destination: Rect(x: sx + dx, y: sy + dy, width: width, height: height), source: Point(x: sx, y: sy))
    }

    /// Half the scenes get an opaque, unscaled primary plane, the case where moves pass on.
    func makeScene(rng: inout SplitMix) -> ComposerDamageTests.Scene {
        var scene = scenes.makeScene(rng: &rng)
        if rng.bool() {
            let size = Size(width: rng.int(4...16), height: rng.int(4...16))
            let pixels = (0..<size.area).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
            let (framebuffer, memory) = makeFramebuffer(1, format: .xrgb8888, width: size.width, height: size.height, pixels: pixels,
                                                        padding: rng.int(0...1) * 4)
            let origin = Point(x: rng.int(-3...10), y: rng.int(-3...6))
            scene.layers[0] = ComposerLayer(plane: scene.layers[0].plane, type: .primary, framebuffer: framebuffer,
                                            state: PlaneState(framebuffer: framebuffer.id, source: SourceRect(Rect(size: size)),
                                                              destination: Rect(origin: origin, size: size)))
            scene.memories[0] = memory
        }
        return scene
    }

    @Test func movesThenRegionGiveTheNewPictureExactly() {
        var rng = SplitMix(seed: 1202)
        var passedOn = 0, asDamage = 0
        for cursorComposed in [false, true] {
            for _ in 0..<150 {
                var scene = makeScene(rng: &rng)
                var composer = Composer(includesCursorPlane: cursorComposed)
                _ = composer.compose(size: ComposerDamageTests.outputSize, layers: scene.layers, planeDamage: [:])
                for _ in 0..<4 {
                    let previous = composer.scanout
                    // One plane's content moves; then planes change as in ComposerDamageTests
                    // (drawing after the move, as the protocol orders them).
                    let index = rng.int(0...(scene.layers.count - 1))
                    let layer = scene.layers[index]
                    var moves: [PlaneID: [CopyMove]] = [:]
                    if let move = moveContent(of: layer, memory: scene.memories[index], rng: &rng) { moves[layer.plane] = [move] }
                    var damage = rng.bool() ? scenes.change(&scene, rng: &rng) : [:]
                    if !moves.isEmpty, damage[layer.plane] == nil { damage[layer.plane] = .rects([]) }
                    let result = composer.compose(size: ComposerDamageTests.outputSize, layers: scene.layers,
                                                  planeDamage: damage, planeMoves: moves)
                    var fresh = Composer(includesCursorPlane: cursorComposed)
                    _ = fresh.compose(size: ComposerDamageTests.outputSize, layers: scene.layers, planeDamage: [:])
                    #expect(composer.scanout == fresh.scanout, "the scanout is drawn from the framebuffers, moves or not")
                    let viewer = viewerPicture(from: previous, applying: result, from: fresh.scanout)
                    #expect(viewer == fresh.scanout, "moves \(result.moves) then \(result.region)")
                    if viewer != fresh.scanout { return }
                    passedOn += result.moves.count
                    if !moves.isEmpty && result.moves.isEmpty { asDamage += 1 }
                }
            }
        }
        // Both outcomes happen, so neither branch of the translation goes untested.
        #expect(passedOn > 50)
        #expect(asDamage > 50)
    }

    @Test func aScrolledFullScreenPlaneIsOneMoveAndTheUncoveredLines() {
        let size = Size(width: 8, height: 10)
        let pixels = (0..<size.area).map { UInt32($0) }
        let (framebuffer, memory) = makeFramebuffer(1, format: .xrgb8888, width: 8, height: 10, pixels: pixels)
        let layer = ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer,
                                  state: PlaneState(framebuffer: framebuffer.id, size: size))
        var composer = Composer()
        _ = composer.compose(size: size, layers: [layer], planeDamage: [:])
        // Scroll up by 3 rows; the producer draws the bottom 3 rows anew.
        let scrolled = Array(pixels[24...]) + (0..<24).map { UInt32(1000 + $0) }
        for (i, pixel) in scrolled.enumerated() { store(pixel, format: .xrgb8888, in: memory, at: i * 4) }
        let move = CopyMove(destination: Rect(x: 0, y: 0, width: 8, height: 7), source: Point(x: 0, y: 3))
        let fresh = Rect(x: 0, y: 7, width: 8, height: 3)
        let result = composer.compose(size: size, layers: [layer], planeDamage: [PlaneID(1): .rects([fresh])],
                                      planeMoves: [PlaneID(1): [move]])
        #expect(result.moves == [move])
        #expect(result.region == Region(fresh))
        #expect(result.changedArea == Region(Rect(size: size)))
        #expect(composer.scanout.pixels == scrolled)
    }

    @Test func aMoveUnderAnOverlayOrOnAScaledPlaneBecomesDamage() {
        let size = Size(width: 8, height: 8)
        let (framebuffer, _) = makeFramebuffer(1, format: .xrgb8888, width: 8, height: 8, pixels: Array(repeating: 5, count: 64))
        let (overlayFB, _) = makeFramebuffer(2, format: .xrgb8888, width: 2, height: 2, pixels: Array(repeating: 9, count: 4))
        let primary = ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer,
                                    state: PlaneState(framebuffer: framebuffer.id, size: size))
        let overlay = ComposerLayer(plane: PlaneID(2), type: .overlay, framebuffer: overlayFB,
                                    state: PlaneState(framebuffer: overlayFB.id, source: SourceRect(Rect(x: 0, y: 0, width: 2, height: 2)),
                                                      destination: Rect(x: 0, y: 6, width: 2, height: 2)))
        let move = CopyMove(destination: Rect(x: 0, y: 4, width: 4, height: 4), source: Point(x: 0, y: 0))
        var composer = Composer()
        _ = composer.compose(size: size, layers: [primary, overlay], planeDamage: [:])
        let covered = composer.compose(size: size, layers: [primary, overlay], planeDamage: [PlaneID(1): .rects([])],
                                       planeMoves: [PlaneID(1): [move]])
        #expect(covered.moves.isEmpty)
        #expect(covered.region == Region(move.destination))
        // Shown at twice the size, a framebuffer pixel is four picture pixels: no move either.
        var scaled = primary
        scaled.state.source = SourceRect(Rect(x: 0, y: 0, width: 4, height: 4))
        var other = Composer()
        _ = other.compose(size: size, layers: [scaled], planeDamage: [:])
        let result = other.compose(size: size, layers: [scaled], planeDamage: [PlaneID(1): .rects([])],
                                   planeMoves: [PlaneID(1): [CopyMove(destination: Rect(x: 2, y: 2, width: 2, height: 2), source: .zero)]])
        #expect(result.moves.isEmpty)
        #expect(result.region == Region(Rect(x: 4, y: 4, width: 4, height: 4)))
    }
}
