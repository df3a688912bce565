/// Pixels in memory the picture does not own: a producer's framebuffer, mapped read-only, shown
/// as it is (`PixelBuffer(width:height:borrowing:)`, docs/architecture.md "Zero-copy scanout").
///
/// It keeps `owner` (the mapping) alive, so the pointer stays valid for as long as any picture
/// uses it, whatever happens to the framebuffer meanwhile. It does not stop the producer from
/// drawing into the memory: the lender must not hand the buffer back (a Release event) while one
/// of these is alive, and learns when the last copy of the picture is gone from `onLastUse`, which
/// runs on whichever thread let go of it.
public final class BorrowedPixels: @unchecked Sendable {
    /// The first pixel of the picture; rows are `stride` pixels apart.
    public let base: UnsafePointer<UInt32>
    public let stride: Int
    private let owner: AnyObject
    private let onLastUse: (@Sendable () -> Void)?

    public init(base: UnsafePointer<UInt32>, stride: Int, owner: AnyObject, onLastUse: (@Sendable () -> Void)? = nil) {
        precondition(stride >= 0)
        self.base = base; self.stride = stride; self.owner = owner; self.onLastUse = onLastUse
    }

    deinit { onLastUse?() }

    /// The top-left `width` x `height` pixels, tightly packed, X byte cleared.
    func canonicalCopy(width: Int, height: Int) -> [UInt32] {
        withExtendedLifetime(owner) {
            [UInt32](unsafeUninitializedCapacity: width * height) { buffer, count in
                for y in 0..<height {
                    PixelTranslator.copyClearingX(base + y * stride, count: width, into: buffer.baseAddress! + y * width)
                }
                count = width * height
            }
        }
    }
}
