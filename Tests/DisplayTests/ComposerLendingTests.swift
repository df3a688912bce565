import Geometry
import Pixels
import PortholeTestSupport
import Synchronization
import Testing
@testable import Display

/// Zero-copy scanout: the composer shows a lendable XRGB8888 framebuffer as it is when a frame
/// redraws enough of it, and otherwise draws its own picture, which must catch up with whatever
/// changed while framebuffers were lent. Checked against a composer that never lends, over random
/// frames of a triple-buffered producer.
struct ComposerLendingTests {
    /// Memory that stays where it is, as a producer's mapped memfd does, so it can be lent.
    final class PinnedMemory: FramebufferMemory, @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer
        init(byteCount: Int) {
            bytes = .allocate(byteCount: byteCount, alignment: 64)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
        }
        deinit { bytes.deallocate() }
        var byteCount: Int { bytes.count }
        func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(UnsafeRawBufferPointer(bytes)) }
        var lendableBytes: (bytes: UnsafeRawBufferPointer, owner: AnyObject)? { (UnsafeRawBufferPointer(bytes), self) }
    }

    /// Counts lends and the pictures' last uses.
    final class Lending: Sendable {
        let counts = Mutex((lent: 0, returned: 0))
        func lend(_ framebuffer: Framebuffer) -> (@Sendable () -> Void)? {
            counts.withLock { $0.lent += 1 }
            return { [self] in counts.withLock { $0.returned += 1 } }
        }
    }

    static let size = Size(width: 300, height: 260)

    /// A framebuffer of the output's size, `padding` bytes past each row, X bytes set to junk.
    static func framebuffer(_ id: UInt32, padding: Int = 12) -> (Framebuffer, PinnedMemory) {
        let stride = size.width * 4 + padding
        let memory = PinnedMemory(byteCount: stride * size.height)
        let descriptor = FramebufferDescriptor(format: .xrgb8888, width: size.width, height: size.height, stride: stride)
        return (try! Framebuffer(id: FramebufferID(id), descriptor: descriptor, memory: memory), memory)
    }

    static func write(_ picture: PixelBuffer, _ rect: Rect, into memory: PinnedMemory, stride: Int, junk: UInt32) {
        for y in rect.minY..<rect.maxY {
            for x in rect.minX..<rect.maxX {
                memory.bytes.storeBytes(of: picture[x, y] | junk << 24, toByteOffset: y * stride + x * 4, as: UInt32.self)
            }
        }
    }

    static func primary(_ framebuffer: Framebuffer) -> ComposerLayer {
        ComposerLayer(plane: PlaneID(1), type: .primary, framebuffer: framebuffer,
                      state: PlaneState(framebuffer: framebuffer.id, size: size))
    }

    @Test func randomFramesShowTheTruthWhetherLentOrDrawn() throws {
        var rng = SplitMix(seed: 77)
        let lending = Lending()
        let buffers = (1...3).map { Self.framebuffer(UInt32($0)) }
        let stride = Self.size.width * 4 + 12
        // An overlay now and then makes a frame that cannot be lent.
        let overlayPixels = (0..<(40 * 30)).map { _ in UInt32(truncatingIfNeeded: rng.next()) | 0xff00_0000 }
        let (overlayFramebuffer, _) = makeFramebuffer(9, format: .argb8888, width: 40, height: 30, pixels: overlayPixels)
        let overlay = ComposerLayer(plane: PlaneID(2), type: .overlay, framebuffer: overlayFramebuffer,
                                    state: PlaneState(framebuffer: overlayFramebuffer.id, size: Size(width: 40, height: 30),
                                                      at: Point(x: 100, y: 90)))
        var truth = TestImages.desktop(width: Self.size.width, height: Self.size.height)
        for (_, memory) in buffers { Self.write(truth, truth.bounds, into: memory, stride: stride, junk: UInt32(rng.int(0...255))) }
        var composer = Composer(), reference = Composer()
        _ = composer.compose(size: Self.size, layers: [Self.primary(buffers[0].0)], planeDamage: [:], lend: lending.lend)
        _ = reference.compose(size: Self.size, layers: [Self.primary(buffers[0].0)], planeDamage: [:])
        #expect(!composer.scanout.isBorrowed, "a first frame is drawn")
        var lentFrames = 0, drawnFrames = 0
        // Each buffer is up to date as of the frame it last showed.
        var shownAt = [0, -1, -1]
        var history: [PixelBuffer] = [truth]
        for frame in 1...60 {
            let index = frame % 3
            let (framebuffer, memory) = buffers[index]
            // Bring the buffer up to date from the frame it last showed, then change the truth.
            if shownAt[index] >= 0 { Self.write(truth, truth.bounds, into: memory, stride: stride, junk: UInt32(frame)) }
            var rects: [Rect] = []
            for _ in 0..<rng.int(1...3) {
                let big = rng.int(0...2) != 0
                let width = big ? rng.int(270...300) : rng.int(1...30), height = big ? rng.int(245...260) : rng.int(1...30)
                let rect = Rect(x: rng.int(0...(Self.size.width - width)), y: rng.int(0...(Self.size.height - height)), width: width, height: height)
                truth.fill(rect, with: UInt32(truncatingIfNeeded: rng.next()) & 0x00ff_ffff)
                rects.append(rect)
            }
            for rect in rects { Self.write(truth, rect, into: memory, stride: stride, junk: UInt32(truncatingIfNeeded: rng.next())) }
            shownAt[index] = frame
            history.append(truth)
            let withOverlay = rng.int(0...9) == 0
            let layers = withOverlay ? [Self.primary(framebuffer), overlay] : [Self.primary(framebuffer)]
            let damage: [PlaneID: PlaneDamage] = [PlaneID(1): .rects(rects)]
            let previous = composer.scanout
            let reported = composer.compose(size: Self.size, layers: layers, planeDamage: damage, lend: lending.lend)
            let expected = reference.compose(size: Self.size, layers: layers, planeDamage: damage)
            #expect(reported == expected, "lending changes nothing in the damage reported")
            #expect(composer.scanout == reference.scanout, "frame \(frame)")
            let area = Region(rects: rects).area
            let lendable = !withOverlay && area >= Composer.minimumLentArea
            #expect(composer.scanout.isBorrowed == lendable, "frame \(frame): area \(area), overlay \(withOverlay)")
            if composer.scanout.isBorrowed { lentFrames += 1 } else { drawnFrames += 1 }
            // The damage is enough to bring the previous picture up to date.
            var patched = previous
            for rect in reported.region.rects { patched.blit(composer.scanout.cropped(to: rect), at: rect.origin) }
            #expect(patched == composer.scanout, "frame \(frame)")
            if composer.scanout != reference.scanout { return }
        }
        #expect(lentFrames > 10 && drawnFrames > 5, "lent \(lentFrames), drawn \(drawnFrames)")
        let counts = lending.counts.withLock { $0 }
        #expect(counts.lent == lentFrames)
        #expect(counts.returned == lentFrames - 1, "only the picture on screen is still alive")
        composer = Composer()
        #expect(lending.counts.withLock { $0.returned } == lentFrames)
    }

    @Test func framesThatCannotBeLentAreDrawn() {
        let lending = Lending()
        let (framebuffer, memory) = Self.framebuffer(1)
        let truth = TestImages.photographic(width: Self.size.width, height: Self.size.height)
        Self.write(truth, truth.bounds, into: memory, stride: Self.size.width * 4 + 12, junk: 0x5a)
        let whole: [PlaneID: PlaneDamage] = [PlaneID(1): .rects([Rect(size: Self.size)])]
        // Scaled up from a smaller source, shown half transparent, or shown off its origin: drawn.
        var scaled = Self.primary(framebuffer)
        scaled.state.source = SourceRect(Rect(x: 0, y: 0, width: 150, height: 130))
        var translucent = Self.primary(framebuffer)
        translucent.state.alpha = 0x8000
        var shifted = Self.primary(framebuffer)
        shifted.state.destination = Rect(x: 1, y: 0, width: Self.size.width, height: Self.size.height)
        for layer in [scaled, translucent, shifted] {
            var composer = Composer()
            _ = composer.compose(size: Self.size, layers: [layer], planeDamage: [:], lend: lending.lend)
            _ = composer.compose(size: Self.size, layers: [layer], planeDamage: whole, lend: lending.lend)
            #expect(!composer.scanout.isBorrowed)
        }
        // The lender may refuse: the frame is drawn.
        var composer = Composer()
        let layer = Self.primary(framebuffer)
        _ = composer.compose(size: Self.size, layers: [layer], planeDamage: [:], lend: { _ in nil })
        _ = composer.compose(size: Self.size, layers: [layer], planeDamage: whole, lend: { _ in nil })
        #expect(!composer.scanout.isBorrowed)
        #expect(composer.scanout == truth)
        // Memory that cannot be lent (an array that may move): drawn.
        let (arrayBacked, _) = makeFramebuffer(4, format: .xrgb8888, width: Self.size.width, height: Self.size.height, pixels: truth.pixels)
        var fromArray = Composer()
        _ = fromArray.compose(size: Self.size, layers: [Self.primary(arrayBacked)], planeDamage: [:], lend: lending.lend)
        _ = fromArray.compose(size: Self.size, layers: [Self.primary(arrayBacked)], planeDamage: whole, lend: lending.lend)
        #expect(!fromArray.scanout.isBorrowed)
        #expect(lending.counts.withLock { $0.lent } == 0)
    }

    @Test func aLentFramebufferShownAgainUnchangedStaysLent() {
        let lending = Lending()
        let (first, firstMemory) = Self.framebuffer(1), (second, secondMemory) = Self.framebuffer(2)
        let picture = TestImages.desktop(width: Self.size.width, height: Self.size.height)
        let stride = Self.size.width * 4 + 12
        Self.write(picture, picture.bounds, into: firstMemory, stride: stride, junk: 1)
        Self.write(picture, picture.bounds, into: secondMemory, stride: stride, junk: 2)
        var composer = Composer()
        _ = composer.compose(size: Self.size, layers: [Self.primary(first)], planeDamage: [:], lend: lending.lend)
        _ = composer.compose(size: Self.size, layers: [Self.primary(second)], planeDamage: [PlaneID(1): .rects([Rect(size: Self.size)])],
                             lend: lending.lend)
        #expect(composer.scanout.isBorrowed)
        // A commit that changes nothing on the primary plane (say, a cursor move): the same picture.
        let damage = composer.compose(size: Self.size, layers: [Self.primary(second)], planeDamage: [:], lend: lending.lend)
        #expect(damage.region.isEmpty)
        #expect(composer.scanout.isBorrowed)
        #expect(lending.counts.withLock { $0.lent } == 1)
        #expect(composer.scanout == picture)
    }
}
