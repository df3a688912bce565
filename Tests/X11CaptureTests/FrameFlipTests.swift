import Display
import Geometry
import Pixels
import Testing
@testable import X11Capture

@Suite struct FrameFlipTests {
    /// Frames written through flips are what a single buffer would hold, frames handed out
    /// earlier (as the output publishes them) never change, and a flip with no damage is undone.
    @Test func flippedFramesMatchASingleBufferAndPublishedOnesStayPut() {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 40, height: 30, fill: 0x101010)
        var reference = frame
        var published: [(PixelBuffer, PixelBuffer)] = []
        let writes: [Rect?] = [Rect(x: 1, y: 1, width: 5, height: 5), nil, Rect(x: 30, y: 20, width: 10, height: 10),
                               Rect(x: 0, y: 0, width: 40, height: 30), nil, nil, Rect(x: 3, y: 4, width: 1, height: 1)]
        for (i, write) in writes.enumerated() {
            flip.flip(&frame)
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

    /// A frame of another size (a RandR resize) replaces the spare instead of being copied into it.
    @Test func aResizedFrameStartsAfresh() {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 20, height: 20, fill: 1)
        flip.flip(&frame)
        frame.fill(Rect(x: 0, y: 0, width: 2, height: 2), with: 2)
        flip.finish(&frame, damage: FrameDamage(region: Region(Rect(x: 0, y: 0, width: 2, height: 2))))
        frame = PixelBuffer(width: 10, height: 8, fill: 3)
        flip.finish(&frame, damage: FrameDamage(region: Region(frame.bounds)))
        flip.flip(&frame)
        #expect(frame == PixelBuffer(width: 10, height: 8, fill: 3))
    }

    /// With the spare prepared (at the mirror's start), the first read after a flip writes into
    /// storage of its own even while the published frame is still held: no whole copy during a
    /// frame. Without it, that first write copies the frame (copy-on-write), which this also
    /// checks, so the test can tell the two apart.
    @Test(arguments: [true, false])
    func aPreparedSpareSavesTheFirstWholeCopy(prepared: Bool) {
        var flip = FrameFlip()
        var frame = PixelBuffer(width: 64, height: 48, fill: 0x202020)
        let published = frame
        if prepared { flip.prepareSpare(for: frame) }
        flip.flip(&frame)
        let before = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        frame.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        let after = frame.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        flip.finish(&frame, damage: FrameDamage(region: Region(Rect(x: 2, y: 2, width: 4, height: 4))))
        #expect((before == after) == prepared, prepared ? "the first write copied the frame" : "expected the unprepared flip to copy")
        #expect(published == PixelBuffer(width: 64, height: 48, fill: 0x202020), "the published frame changed")
        var expected = published
        expected.fill(Rect(x: 2, y: 2, width: 4, height: 4), with: 0xff0000)
        #expect(frame == expected)
        // The next flip brings the other buffer up to date.
        flip.flip(&frame)
        #expect(frame == expected)
    }
}
