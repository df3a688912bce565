import Display
import Geometry
import Pixels
import Testing
@testable import X11Capture

@Suite struct FrameFlipTests {
    /// Frames written through flips are what a single buffer would hold, frames handed out
    /// earlier (as the output publishes them) never change, and a flip with no damage is undone.
    /// Each flip is told what the write then overwrites, as the X session does, or nothing.
    @Test(arguments: [true, false])
    func flippedFramesMatchASingleBufferAndPublishedOnesStayPut(redrawnKnown: Bool) {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 40, height: 30, fill: 0x101010)
        var reference = frame
        var published: [(PixelBuffer, PixelBuffer)] = []
        let writes: [Rect?] = [Rect(x: 1, y: 1, width: 5, height: 5), nil, Rect(x: 30, y: 20, width: 10, height: 10),
                               Rect(x: 0, y: 0, width: 40, height: 30), nil, nil, Rect(x: 3, y: 4, width: 1, height: 1),
                               Rect(x: 2, y: 2, width: 9, height: 9), Rect(x: 6, y: 5, width: 9, height: 9), Rect(x: 10, y: 8, width: 9, height: 9)]
        for (i, write) in writes.enumerated() {
            flip.flip(&frame, redrawn: redrawnKnown ? write.map { Region($0) } ?? Region() : Region())
            var damage = FrameDamage()
            if let write {
                let colour = UInt32(0x200000 * (i + 1))
                frame.fill(write, with: colour)
                reference.fill(write, with: colour)
                damage = FrameDamage(region: Region(write))
            }
            flip.finish(&frame, damage: damage)
            #expect(frame == reference, "after write \(i)")
            published.append((frame, reference))
        }
        for (i, (shown, expected)) in published.enumerated() { #expect(shown == expected, "published frame \(i) changed") }
    }

    /// With the ring prepared, reading into a frame never copies it whole while the frames of the
    /// last two flips are still held (by a viewer's encoder, and by a CopyRect viewer's moves):
    /// each flip reuses the oldest frame, which nobody holds, so the frames only ever live in the
    /// ring's three buffers. A flip with no damage is undone and costs no copy either. With one
    /// spare (`spareCount` 1, as before) each flip here copies a held frame.
    @Test func framesHeldFromTheLastTwoFlipsCostNoWholeCopy() {
        func address(_ frame: PixelBuffer) -> UInt { frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 64, height: 48, fill: 0x202020)
        flip.prepareSpare(for: frame)
        var reference = frame
        var held = [frame]
        var storages = Set<UInt>()
        for i in 0..<9 {
            let rect = i % 3 == 2 ? nil : Rect(x: i * 5, y: i * 3, width: 6 + i, height: 4)
            flip.flip(&frame, redrawn: rect.map { Region($0) } ?? Region())
            let storage = address(frame)
            storages.insert(storage)
            var damage = FrameDamage()
            if let rect {
                frame.fill(rect, with: UInt32(0x10000 * (i + 1)))
                reference.fill(rect, with: UInt32(0x10000 * (i + 1)))
                damage = FrameDamage(region: Region(rect))
            }
            #expect(address(frame) == storage, "the read of flip \(i) copied the frame whole")
            flip.finish(&frame, damage: damage)
            #expect(frame == reference, "after flip \(i)")
            if !damage.isEmpty { held.append(frame) }
            if held.count > 2 { held.removeFirst() }
        }
        #expect(flip.wholeCopies == 0, "\(flip.wholeCopies) flips copied a held frame whole")
        #expect(storages.count == 3, "frames in \(storages.count) buffers")
        #expect(held.last == reference)
    }

    /// A read the X server refused leaves the region the flip skipped unwritten; `restoreSkipped`
    /// puts the earlier picture back there, so the frame is never older than the one before it.
    @Test func aRefusedReadLeavesTheEarlierPicture() {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 32, height: 32, fill: 1)
        flip.prepareSpare(for: frame)
        // Three frames that each change the same square, so the oldest spare is stale there.
        for colour in UInt32(2)...4 {
            let square = Rect(x: 8, y: 8, width: 8, height: 8)
            flip.flip(&frame, redrawn: Region(square))
            frame.fill(square, with: colour)
            flip.finish(&frame, damage: FrameDamage(region: Region(square)))
        }
        let before = frame
        flip.flip(&frame, redrawn: Region(Rect(x: 8, y: 8, width: 8, height: 8)))
        #expect(frame != before, "the skipped square should still hold an older picture")
        flip.restoreSkipped(&frame)
        #expect(frame == before)
        flip.finish(&frame, damage: FrameDamage(region: Region(Rect(x: 8, y: 8, width: 8, height: 8))))
        flip.flip(&frame, redrawn: Region())
        #expect(frame == before)
    }

    /// A frame of another size (a RandR resize) replaces the spares instead of being copied into them.
    @Test func aResizedFrameStartsAfresh() {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 20, height: 20, fill: 1)
        flip.flip(&frame, redrawn: Region())
        frame.fill(Rect(x: 0, y: 0, width: 2, height: 2), with: 2)
        flip.finish(&frame, damage: FrameDamage(region: Region(Rect(x: 0, y: 0, width: 2, height: 2))))
        frame = PixelBuffer(width: 10, height: 8, fill: 3)
        flip.finish(&frame, damage: FrameDamage(region: Region(frame.bounds)))
        flip.flip(&frame, redrawn: Region())
        #expect(frame == PixelBuffer(width: 10, height: 8, fill: 3))
    }

    /// With the ring prepared (at the mirror's start), the first read after a flip writes into
    /// storage of its own even while the published frame is still held: no whole copy during a
    /// frame. Without it, that first write copies the frame (copy-on-write), which this also
    /// checks, so the test can tell the two apart.
    @Test(arguments: [true, false])
    func aPreparedSpareSavesTheFirstWholeCopy(prepared: Bool) {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 64, height: 48, fill: 0x202020)
        let published = frame
        if prepared { flip.prepareSpare(for: frame) }
        flip.flip(&frame, redrawn: Region())
        let before = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        frame.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        let after = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        flip.finish(&frame, damage: FrameDamage(region: Region(Rect(x: 2, y: 2, width: 4, height: 4))))
        #expect((before == after) == prepared, prepared ? "the first write copied the frame" : "expected the unprepared flip to copy")
        #expect(published == PixelBuffer(width: 64, height: 48, fill: 0x202020), "the published frame changed")
        var expected = published
        expected.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        #expect(frame == expected)
        // The next flip brings the next frame of the ring up to date.
        flip.flip(&frame, redrawn: Region())
        #expect(frame == expected)
    }
}
