import Geometry
import Pixels
import PortholeTestSupport
import Testing
@testable import Display

/// The scanout ring (`ScanoutFlip`): every tick's picture equals one drawn from scratch, pictures
/// handed out in the last two ticks are never written, and a ring whose oldest picture nobody
/// holds allocates nothing (no whole copies) once it is full.
struct ScanoutFlipTests {
    static let size = Size(width: 16, height: 12)

    /// One tick of a model compositor: fills a random rect with the tick's colour, through the
    /// ring, and the same rect in `model`, a picture drawn without any ring.
    func tick(_ k: Int, flip: inout ScanoutFlip, front: inout PixelBuffer, model: inout PixelBuffer, rng: inout SplitMix) {
        let x = rng.int(0...(Self.size.width - 1)), y = rng.int(0...(Self.size.height - 1))
        let rect = Rect(x: x, y: y, width: rng.int(1...(Self.size.width - x)), height: rng.int(1...(Self.size.height - y)))
        let drawn = Region(rect)
        flip.flip(&front, redrawn: drawn)
        front.fill(rect, with: UInt32(k))
        flip.finish(front: front, drawn: drawn)
        model.fill(rect, with: UInt32(k))
    }

    @Test func picturesHeldForTwoTicksAreReusedWithoutCopies() {
        var rng = SplitMix(seed: 11)
        var flip = ScanoutFlip()
        var front = PixelBuffer(width: Self.size.width, height: Self.size.height)
        var model = front
        // A viewer that lets go of a picture two ticks after it was handed out.
        var held: [PixelBuffer] = []
        for k in 1...200 {
            tick(k, flip: &flip, front: &front, model: &model, rng: &rng)
            #expect(front == model)
            held.append(front)
            if held.count > 2 { held.removeFirst() }
        }
        #expect(flip.wholeCopies == 0)
    }

    @Test func aPictureStillHeldIsCopiedNotWritten() {
        var rng = SplitMix(seed: 12)
        var flip = ScanoutFlip()
        var front = PixelBuffer(width: Self.size.width, height: Self.size.height)
        var model = front
        // A viewer that keeps every picture, each checked against the model of its tick.
        var held: [(picture: PixelBuffer, model: PixelBuffer)] = [(front, model)]
        for k in 1...50 {
            tick(k, flip: &flip, front: &front, model: &model, rng: &rng)
            #expect(front == model)
            held.append((front, model))
        }
        #expect(held.allSatisfy { $0.picture == $0.model })
        // The first two ticks grow the ring; every later one found its picture held.
        #expect(flip.wholeCopies == 48)
    }

    /// A ring filled up front (`fill`, as the device does once the output is idle after its first
    /// frame) gives correct pictures from the first tick, never writes a picture a viewer holds,
    /// and takes none of the first ticks' pictures from a fresh allocation: each tick reuses a
    /// spare, and none had to be copied whole.
    @Test func aFilledRingReusesSparesFromTheFirstTick() {
        var rng = SplitMix(seed: 14)
        var flip = ScanoutFlip()
        var front = PixelBuffer(width: Self.size.width, height: Self.size.height, fill: 5)
        var model = front
        #expect(!flip.isFull)
        flip.fill(from: front)
        #expect(flip.isFull)
        var held: [(picture: PixelBuffer, model: PixelBuffer)] = [(front, model)]
        for k in 1...6 {
            tick(k, flip: &flip, front: &front, model: &model, rng: &rng)
            #expect(front == model)
            held.append((front, model))
            if held.count > 2 { held.removeFirst() }
            #expect(held.allSatisfy { $0.picture == $0.model })
        }
        #expect(flip.wholeCopies == 0)
        // Filling again changes nothing once full.
        flip.fill(from: front)
        #expect(flip.isFull)
    }

    @Test func aNewSizeEmptiesTheRing() {
        var rng = SplitMix(seed: 13)
        var flip = ScanoutFlip()
        var front = PixelBuffer(width: Self.size.width, height: Self.size.height)
        var model = front
        for k in 1...5 { tick(k, flip: &flip, front: &front, model: &model, rng: &rng) }
        front = PixelBuffer(width: 4, height: 4, fill: 9)
        flip.reset()
        var small = front
        flip.flip(&front, redrawn: Region(Rect(x: 0, y: 0, width: 1, height: 1)))
        front.fill(Rect(x: 0, y: 0, width: 1, height: 1), with: 1)
        flip.finish(front: front, drawn: Region(Rect(x: 0, y: 0, width: 1, height: 1)))
        small.fill(Rect(x: 0, y: 0, width: 1, height: 1), with: 1)
        #expect(front == small)
        #expect(flip.wholeCopies == 0)
    }
}
