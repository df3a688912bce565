import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// The ring of pictures (`PictureRing`), as the composer uses it: every tick's picture equals one drawn from scratch, pictures
/// handed out in the last two ticks are never written, and a ring whose oldest picture nobody
/// holds allocates nothing (no whole copies) once it is full.
struct PictureRingTests {
    static let size = Size(width: 16, height: 12)

    /// One tick of a model compositor: fills a random rect with the tick's colour, through the
    /// ring, and the same rect in `model`, a picture drawn without any ring.
    func tick(_ k: Int, flip: inout PictureRing, front: inout PixelBuffer, model: inout PixelBuffer, rng: inout SplitMix) {
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
        var flip = PictureRing()
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
        var flip = PictureRing()
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
        var flip = PictureRing()
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
        var flip = PictureRing()
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

    // MARK: - As the X11 mirror uses it: the write's region known before the flip, flips with
    // nothing written undone, and reads the X server refuses.

    /// The mirror's `finish`: a frame with no damage is undone, so the published one stays in front.
    static func finish(_ ring: inout PictureRing, _ frame: inout PixelBuffer, damage: Region) {
        if damage.isEmpty { ring.undo(&frame) } else { ring.finish(front: frame, drawn: damage) }
    }

    /// Frames written through flips are what a single buffer would hold, frames handed out
    /// earlier (as the output publishes them) never change, and a flip with no damage is undone.
    /// Each flip is told what the write then overwrites, as the X session does, or nothing.
    @Test(arguments: [true, false])
    func flippedFramesMatchASingleBufferAndPublishedOnesStayPut(redrawnKnown: Bool) {
        var ring = PictureRing()
        var frame = PixelBuffer(width: 40, height: 30, fill: 0x101010)
        var reference = frame
        var published: [(PixelBuffer, PixelBuffer)] = []
        let writes: [Rect?] = [Rect(x: 1, y: 1, width: 5, height: 5), nil, Rect(x: 30, y: 20, width: 10, height: 10),
                               Rect(x: 0, y: 0, width: 40, height: 30), nil, nil, Rect(x: 3, y: 4, width: 1, height: 1),
                               Rect(x: 2, y: 2, width: 9, height: 9), Rect(x: 6, y: 5, width: 9, height: 9), Rect(x: 10, y: 8, width: 9, height: 9)]
        for (i, write) in writes.enumerated() {
            ring.flip(&frame, redrawn: redrawnKnown ? write.map { Region($0) } ?? Region() : Region())
            var damage = Region()
            if let write {
                let colour = UInt32(0x200000 * (i + 1))
                frame.fill(write, with: colour)
                reference.fill(write, with: colour)
                damage = Region(write)
            }
            Self.finish(&ring, &frame, damage: damage)
            #expect(frame == reference, "after write \(i)")
            published.append((frame, reference))
        }
        for (i, (shown, expected)) in published.enumerated() { #expect(shown == expected, "published frame \(i) changed") }
    }

    /// With the ring filled, reading into a frame never copies it whole while the frames of the
    /// last two flips are still held (by a viewer's encoder, and by a CopyRect viewer's moves):
    /// each flip reuses the oldest frame, which nobody holds, so the frames only ever live in the
    /// ring's three buffers. A flip with no damage is undone and costs no copy either. With one
    /// spare (`spareCount` 1, the X11 mirror's old way) six of these nine flips copy.
    @Test func framesHeldFromTheLastTwoFlipsCostNoWholeCopy() {
        func address(_ frame: PixelBuffer) -> UInt { frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        var ring = PictureRing()
        var frame = PixelBuffer(width: 64, height: 48, fill: 0x202020)
        ring.fill(from: frame)
        var reference = frame
        var held = [frame]
        var storages = Set<UInt>()
        for i in 0..<9 {
            let rect = i % 3 == 2 ? nil : Rect(x: i * 5, y: i * 3, width: 6 + i, height: 4)
            ring.flip(&frame, redrawn: rect.map { Region($0) } ?? Region())
            let storage = address(frame)
            storages.insert(storage)
            var damage = Region()
            if let rect {
                frame.fill(rect, with: UInt32(0x10000 * (i + 1)))
                reference.fill(rect, with: UInt32(0x10000 * (i + 1)))
                damage = Region(rect)
            }
            #expect(address(frame) == storage, "the read of flip \(i) copied the frame whole")
            Self.finish(&ring, &frame, damage: damage)
            #expect(frame == reference, "after flip \(i)")
            if !damage.isEmpty { held.append(frame) }
            if held.count > 2 { held.removeFirst() }
        }
        #expect(ring.wholeCopies == 0, "\(ring.wholeCopies) flips copied a held frame whole")
        #expect(storages.count == 3, "frames in \(storages.count) buffers")
        #expect(held.last == reference)
    }

    /// A frame of another size (a RandR resize read whole, outside a flip) replaces the spares
    /// at the next flip instead of being copied into them.
    @Test func aResizedFrameStartsAfresh() {
        var ring = PictureRing()
        var frame = PixelBuffer(width: 20, height: 20, fill: 1)
        ring.fill(from: frame)
        ring.flip(&frame, redrawn: Region())
        frame.fill(Rect(x: 0, y: 0, width: 2, height: 2), with: 2)
        ring.finish(front: frame, drawn: Region(Rect(x: 0, y: 0, width: 2, height: 2)))
        frame = PixelBuffer(width: 10, height: 8, fill: 3)
        ring.finish(front: frame, drawn: Region(frame.bounds))
        ring.flip(&frame, redrawn: Region())
        #expect(frame == PixelBuffer(width: 10, height: 8, fill: 3))
        Self.finish(&ring, &frame, damage: Region())
        #expect(frame == PixelBuffer(width: 10, height: 8, fill: 3))
    }

    /// A read the X server refused leaves the region the flip skipped unwritten; `restoreSkipped`
    /// puts the earlier picture back there, so the frame is never older than the one before it.
    @Test func aRefusedReadLeavesTheEarlierPicture() {
        var ring = PictureRing()
        var frame = PixelBuffer(width: 32, height: 32, fill: 1)
        ring.fill(from: frame)
        let square = Rect(x: 8, y: 8, width: 8, height: 8)
        // Three frames that each change the same square, so the oldest spare is stale there.
        for colour in UInt32(2)...4 {
            ring.flip(&frame, redrawn: Region(square))
            frame.fill(square, with: colour)
            ring.finish(front: frame, drawn: Region(square))
        }
        let before = frame
        ring.flip(&frame, redrawn: Region(square))
        #expect(frame != before, "the skipped square should still hold an older picture")
        ring.restoreSkipped(&frame)
        #expect(frame == before)
        ring.finish(front: frame, drawn: Region(square))
        ring.flip(&frame, redrawn: Region())
        #expect(frame == before)
    }

    /// With the ring filled (the mirror's start, a reconnect), the first read after a flip writes
    /// into storage of its own even while the published frame is still held. Without it, that
    /// first write copies the frame (copy-on-write), which this also checks, so the test can tell
    /// the two apart.
    @Test(arguments: [true, false])
    func aFilledRingSavesTheFirstWholeCopy(filled: Bool) {
        var ring = PictureRing()
        var frame = PixelBuffer(width: 64, height: 48, fill: 0x202020)
        let published = frame
        if filled { ring.fill(from: frame) }
        ring.flip(&frame, redrawn: Region())
        let before = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        frame.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        let after = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        ring.finish(front: frame, drawn: Region(Rect(x: 2, y: 2, width: 4, height: 4)))
        #expect((before == after) == filled, filled ? "the first write copied the frame" : "expected the unfilled ring to copy")
        #expect(published == PixelBuffer(width: 64, height: 48, fill: 0x202020), "the published frame changed")
        var expected = published
        expected.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        #expect(frame == expected)
        ring.flip(&frame, redrawn: Region())
        #expect(frame == expected)
    }
}
