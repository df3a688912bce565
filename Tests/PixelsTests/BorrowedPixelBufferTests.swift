import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// A `PixelBuffer` that borrows its pixels (a producer's framebuffer lent as the scanout) reads
/// as the canonical picture everywhere: rows further apart than the picture is wide, an X byte the
/// producer left set, and writes that must never reach the lender's memory.
struct BorrowedPixelBufferTests {
    /// Lender-owned memory: `stride` pixels a row, every X byte set, padding filled with junk.
    final class Lender {
        let memory: UnsafeMutablePointer<UInt32>
        let stride: Int
        init(_ picture: PixelBuffer, stride: Int, junk: UInt32 = 0xdead_beef) {
            self.stride = stride
            memory = .allocate(capacity: stride * max(picture.height, 1))
            memory.initialize(repeating: junk, count: stride * max(picture.height, 1))
            for y in 0..<picture.height {
                for x in 0..<picture.width { memory[y * stride + x] = picture[x, y] | 0xa500_0000 }
            }
        }
        deinit { memory.deallocate() }
        func borrowed(width: Int, height: Int, onLastUse: (@Sendable () -> Void)? = nil) -> PixelBuffer {
            PixelBuffer(width: width, height: height,
                        borrowing: BorrowedPixels(base: memory, stride: stride, owner: self, onLastUse: onLastUse))
        }
    }

    @Test func aBorrowedBufferReadsAsTheCanonicalPicture() {
        let picture = TestImages.desktop(width: 37, height: 23)
        let lender = Lender(picture, stride: 41)
        let borrowed = lender.borrowed(width: 37, height: 23)
        #expect(borrowed.isBorrowed)
        #expect(borrowed == picture)
        #expect(picture == borrowed)
        #expect(borrowed.pixels == picture.pixels, "pixels are packed and the X byte is cleared")
        #expect(borrowed[36, 22] == picture[36, 22])
        #expect(borrowed.ownedCopy().isBorrowed == false)
        #expect(borrowed.ownedCopy() == picture)
        borrowed.withView { view in
            #expect(view.stride == 41)
            #expect(view[5, 7] & 0x00ff_ffff == picture[5, 7])
        }
        var different = picture
        different[3, 4] ^= 1
        #expect(borrowed != different)
    }

    @Test func writingToABorrowedBufferCopiesItAndLeavesTheLenderAlone() {
        let picture = TestImages.random(width: 20, height: 10)
        let lender = Lender(picture, stride: 24)
        var written = lender.borrowed(width: 20, height: 10)
        let untouched = written
        written[2, 3] = 0x0012_3456
        written.fill(Rect(x: 10, y: 0, width: 5, height: 5), with: 0x0000_00ff)
        #expect(!written.isBorrowed)
        #expect(untouched.isBorrowed)
        #expect(untouched == picture, "the other copy still shows the lender's pixels")
        #expect(lender.memory[3 * 24 + 2] == picture[2, 3] | 0xa500_0000)
        var expected = picture
        expected[2, 3] = 0x0012_3456
        expected.fill(Rect(x: 10, y: 0, width: 5, height: 5), with: 0x0000_00ff)
        #expect(written == expected)
    }

    @Test func blittingAndCroppingABorrowedBufferClearTheXByte() {
        let picture = TestImages.photographic(width: 30, height: 20)
        let lender = Lender(picture, stride: 32)
        let borrowed = lender.borrowed(width: 30, height: 20)
        let rect = Rect(x: 3, y: 4, width: 17, height: 9)
        #expect(borrowed.cropped(to: rect).pixels == picture.cropped(to: rect).pixels)
    }

    @Test func theLenderHearsOnceWhenTheLastCopyIsGone() {
        final class Counter: @unchecked Sendable { var count = 0 }
        let counter = Counter()
        let lender = Lender(TestImages.desktop(width: 8, height: 8), stride: 8)
        var first: PixelBuffer? = lender.borrowed(width: 8, height: 8) { counter.count += 1 }
        var second = first
        #expect(counter.count == 0)
        first = nil
        #expect(counter.count == 0, "a copy is still alive")
        #expect(second?.isBorrowed == true)
        second = nil
        #expect(counter.count == 1)
    }
}
