import Geometry
import Testing
@testable import Display

/// The per-buffer bookkeeping behind a consumer's scanout buffers (docs/protocol.md §6.7, §7.19):
/// checked directly, and by simulation against pictures of "the frame that last damaged this
/// pixel", where a buffer brought up to date with the region it lacks must equal the scanout.
struct ScanoutBufferDamageTests {
    let size = Size(width: 16, height: 12)

    @Test func newBuffersLackTheWholePicture() {
        let damage = ScanoutBufferDamage(bufferCount: 2, size: size)
        #expect(damage.staleRegion(of: 0) == Region(Rect(size: size)))
        #expect(damage.staleRegion(of: 1) == Region(Rect(size: size)))
        #expect(damage.staleRegion(of: 2).isEmpty)
    }

    @Test func takingABufferClearsOnlyThatBuffer() {
        var damage = ScanoutBufferDamage(bufferCount: 2, size: size)
        #expect(damage.takeStaleRegion(of: 0) == Region(Rect(size: size)))
        #expect(damage.staleRegion(of: 0).isEmpty)
        damage.record(Region(Rect(x: 1, y: 2, width: 3, height: 4)))
        #expect(damage.staleRegion(of: 0) == Region(Rect(x: 1, y: 2, width: 3, height: 4)))
        #expect(damage.staleRegion(of: 1) == Region(Rect(size: size)))
        damage.record(Region(Rect(x: 10, y: 0, width: 2, height: 2)))
        let expected = Region(rects: [Rect(x: 1, y: 2, width: 3, height: 4), Rect(x: 10, y: 0, width: 2, height: 2)])
        #expect(damage.takeStaleRegion(of: 0) == expected)
        #expect(damage.takeStaleRegion(of: 0).isEmpty)
        #expect(damage.takeStaleRegion(of: 1) == Region(Rect(size: size)))
        #expect(damage.takeStaleRegion(of: 5).isEmpty)
    }

    @Test func damageOutsideThePictureIsClipped() {
        var damage = ScanoutBufferDamage(bufferCount: 1, size: size)
        _ = damage.takeStaleRegion(of: 0)
        damage.record(Region(Rect(x: 14, y: 10, width: 10, height: 10)))
        damage.record(Region(Rect(x: 100, y: 100, width: 5, height: 5)))
        #expect(damage.staleRegion(of: 0) == Region(Rect(x: 14, y: 10, width: 2, height: 2)))
    }

    @Test func aRegionOfTooManyRectsBecomesItsBoundingBox() {
        var damage = ScanoutBufferDamage(bufferCount: 1, size: Size(width: 400, height: 4))
        _ = damage.takeStaleRegion(of: 0)
        for i in 0..<(ScanoutBufferDamage.maximumRects + 10) { damage.record(Region(Rect(x: i * 3, y: 1, width: 1, height: 1))) }
        let region = damage.staleRegion(of: 0)
        #expect(region.rects.count <= ScanoutBufferDamage.maximumRects)
        for i in 0..<(ScanoutBufferDamage.maximumRects + 10) { #expect(region.contains(Point(x: i * 3, y: 1))) }
    }

    /// Random damage, random buffers written at random times (some held over many frames): every
    /// write copies exactly the pixels damaged since that buffer's previous write (a superset only
    /// when the region was capped), and the buffer then equals the scanout.
    @Test func randomWritesKeepEveryBufferExact() {
        var rng = UInt64(11)
        func rand(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
        let bounds = Rect(size: size)
        for _ in 0..<200 {
            let count = 1 + rand(3)
            var damage = ScanoutBufferDamage(bufferCount: count, size: size)
            var scanout = [Int](repeating: 0, count: size.width * size.height)
            var buffers = [[Int]](repeating: [Int](repeating: -1, count: scanout.count), count: count)
            var sinceWrite = [Region](repeating: Region(bounds), count: count)
            for frame in 1...40 {
                var frameDamage = Region()
                for _ in 0..<rand(3) {
                    frameDamage.formUnion(Rect(x: rand(18) - 1, y: rand(14) - 1, width: 1 + rand(8), height: 1 + rand(6)))
                }
                for rect in frameDamage.intersection(bounds).rects {
                    for y in rect.minY..<rect.maxY { for x in rect.minX..<rect.maxX { scanout[y * size.width + x] = frame } }
                }
                damage.record(frameDamage)
                for index in 0..<count { sinceWrite[index].formUnion(frameDamage.intersection(bounds)) }
                // Write one buffer now and then; buffer 0 is written least often.
                guard rand(3) == 0 else { continue }
                let index = rand(count * 2 + 1) % count
                let region = damage.takeStaleRegion(of: index)
                #expect(region.subtracting(bounds).isEmpty)
                #expect(sinceWrite[index].subtracting(region).isEmpty, "the region misses damage")
                if sinceWrite[index].rects.count < ScanoutBufferDamage.maximumRects / 2 {
                    #expect(region == sinceWrite[index])
                }
                for rect in region.rects {
                    for y in rect.minY..<rect.maxY { for x in rect.minX..<rect.maxX { buffers[index][y * size.width + x] = scanout[y * size.width + x] } }
                }
                #expect(buffers[index] == scanout)
                sinceWrite[index] = Region()
                #expect(damage.staleRegion(of: index).isEmpty)
            }
        }
    }
}
