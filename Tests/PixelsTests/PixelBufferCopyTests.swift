import Geometry
import Testing
@testable import Pixels

struct PixelBufferCopyTests {
    /// An owned copy has the same pixels in storage of its own: writing it later copies nothing,
    /// and the original never changes. A plain copy shares the storage (so the check can fail).
    @Test func anOwnedCopyHasStorageOfItsOwn() {
        var original = PixelBuffer(width: 33, height: 7, fill: 0x123456)
        original.fill(Rect(x: 3, y: 2, width: 5, height: 4), with: 0xabcdef)
        func address(_ buffer: PixelBuffer) -> UInt { buffer.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let shared = original
        #expect(address(shared) == address(original), "a plain copy shares storage")
        var owned = original.ownedCopy()
        #expect(owned == original)
        #expect(address(owned) != address(original))
        let before = address(owned)
        owned.fill(Rect(x: 0, y: 0, width: 1, height: 1), with: 0)
        #expect(address(owned) == before, "the owned copy was copied again at its first write")
        #expect(original[0, 0] == 0x123456)
    }
}
