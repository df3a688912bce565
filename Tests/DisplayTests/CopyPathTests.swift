import PortholeTestSupport
import Testing
import Geometry
import Pixels
@testable import Display

/// The copy path (docs/protocol.md §11): a copy-path framebuffer is copied at the tick that
/// applies it, released at that tick, and shown from the copy; only the damage is copied where
/// the plane's last copy can take it.
struct CopyPathTests {
    static let size = Rig.size
    static let frameBytes = 8 * 6 * 4

    /// A copy-path XR24 framebuffer of producer A, with memory the test can draw into.
    func addCopyFramebuffer(_ rig: inout Rig, fill: UInt32) -> (FramebufferID, TestMemory) {
        let memory = TestMemory(byteCount: Self.frameBytes)
        paint(memory, Rect(size: Self.size), fill)
        let id = try! rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6), memory: memory,
                                                path: .copy, by: rig.producerA)
        return (id, memory)
    }

    func paint(_ memory: TestMemory, _ rect: Rect, _ colour: UInt32) {
        for y in rect.minY..<rect.maxY { for x in rect.minX..<rect.maxX { store(colour, format: .xrgb8888, in: memory, at: (y * 8 + x) * 4) } }
    }

    func picture(_ rig: Rig) -> PixelBuffer {
        var composer = Composer()
        _ = composer.compose(size: Self.size, layers: rig.device.scanoutLayers(of: rig.outputA.id), planeDamage: [:])
        return composer.scanout
    }

    func releases(_ events: [DisplayEvent]) -> [FramebufferID] {
        events.compactMap { if case .release(_, let fb) = $0 { return fb } else { return nil } }
    }

    @Test func releaseComesAtTheTickThatAppliesTheCommitAndThePictureIsTheCommittedOne() throws {
        var rig = Rig()
        let (fb, memory) = addCopyFramebuffer(&rig, fill: 0x11_2233)
        #expect(try rig.device.commit(rig.showOnA(fb), by: rig.producerA).isEmpty)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(releases(tick.events) == [fb])
        #expect(tick.copiedBytes == Self.frameBytes)
        // The producer draws right after the release: the screen keeps the committed picture.
        paint(memory, Rect(size: Self.size), 0xff_0000)
        #expect(picture(rig).pixels.allSatisfy { $0 == 0x11_2233 })
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).map(\.framebuffer.id) == [fb])
    }

    @Test func aZeroCopyFramebufferIsReadInPlaceAndReleasedOnlyWhenReplaced() throws {
        var rig = Rig()
        let memory = TestMemory(byteCount: Self.frameBytes)
        let fb = rig.addFramebufferA(memory: memory)
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(releases(tick.events).isEmpty && tick.copiedBytes == 0)
        paint(memory, Rect(size: Self.size), 0x00_ff00)
        #expect(picture(rig).pixels.allSatisfy { $0 == 0x00_ff00 })
    }

    @Test func onlyTheDamageIsCopied() throws {
        var rig = Rig()
        let (fb, memory) = addCopyFramebuffer(&rig, fill: 0x10_1010)
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        // Drawn everywhere, but only a 3x2 rect is reported.
        paint(memory, Rect(size: Self.size), 0x20_2020)
        let damage = Rect(x: 2, y: 1, width: 3, height: 2)
        _ = try rig.device.commit(rig.showOnA(fb, damage: [damage]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.copiedBytes == 3 * 2 * 4)
        #expect(releases(tick.events) == [fb])
        let shown = picture(rig)
        for y in 0..<6 {
            for x in 0..<8 { #expect(shown[x, y] == (damage.contains(Point(x: x, y: y)) ? 0x20_2020 : 0x10_1010)) }
        }
        // Without damage rects the whole plane changed: everything is copied.
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        #expect(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 3).copiedBytes == Self.frameBytes)
        #expect(picture(rig).pixels.allSatisfy { $0 == 0x20_2020 })
    }

    @Test func swappingCopyFramebuffersCopiesTheFrameDamageOverThePlanesPicture() throws {
        var rig = Rig()
        let (first, _) = addCopyFramebuffer(&rig, fill: 0x01_0101)
        let (second, secondMemory) = addCopyFramebuffer(&rig, fill: 0x01_0101)
        _ = try rig.device.commit(rig.showOnA(first), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        let damage = Rect(x: 0, y: 0, width: 2, height: 2)
        paint(secondMemory, damage, 0x0a_0b0c)
        _ = try rig.device.commit(rig.showOnA(second, damage: [damage]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.copiedBytes == 2 * 2 * 4)
        #expect(releases(tick.events) == [second])
        let shown = picture(rig)
        #expect(shown[1, 1] == 0x0a_0b0c && shown[2, 2] == 0x01_0101)
        #expect(rig.device.scanoutLayers(of: rig.outputA.id).map(\.framebuffer.id) == [second])
    }

    @Test func aReplacedPendingCopyCommitIsReleasedAndACarriedPlaneIsNotReleasedAgain() throws {
        var rig = Rig()
        let (fb, _) = addCopyFramebuffer(&rig, fill: 0x30_3030)
        let (other, _) = addCopyFramebuffer(&rig, fill: 0x40_4040)
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        #expect(try rig.device.commit(rig.showOnA(other), by: rig.producerA) == [.release(to: rig.producerA, framebuffer: fb)])
        #expect(releases(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1).events) == [other])
        // A commit that only moves the output carries the primary plane along: nothing to copy
        // or release.
        let move = AtomicCommit(planes: [], outputs: [.init(output: rig.outputA.id, position: Point(x: 10, y: 0))])
        _ = try rig.device.commit(move, by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.applied && releases(tick.events).isEmpty && tick.copiedBytes == 0)
        #expect(picture(rig).pixels.allSatisfy { $0 == 0x40_4040 })
    }

    @Test func aCopyFramebufferOnScreenMayBeDestroyedAndItsPictureStays() throws {
        var rig = Rig()
        let (fb, _) = addCopyFramebuffer(&rig, fill: 0x50_5050)
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        #expect(throws: DisplayError.framebufferInUse(fb)) { try rig.device.removeFramebuffer(fb, by: rig.producerA) }
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        try rig.device.removeFramebuffer(fb, by: rig.producerA)
        #expect(picture(rig).pixels.allSatisfy { $0 == 0x50_5050 })
        // Zero-copy: refused while on screen.
        let zeroCopy = rig.addFramebufferA()
        _ = try rig.device.commit(rig.showOnA(zeroCopy), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(throws: DisplayError.framebufferInUse(zeroCopy)) { try rig.device.removeFramebuffer(zeroCopy, by: rig.producerA) }
    }
}
