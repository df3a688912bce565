/// Where two rows of pixels first and last differ, sixteen pixels (64 bytes, a cache line) at a
/// time.
///
/// `TileComparer` and `ChangedPixelTrimmer` find with memcmp that two rows differ and then need
/// where. The trimmer's pixel-by-pixel search for the last difference, backwards from the row's
/// end, held 87% of its samples on a dragged window; with this one the trimmer fell from 7.0% to
/// 5.7% of the server's samples (docs/benchmarks.md, "Tiles' rows fetched ahead").
public enum RowDifference {
    /// The first column in `columns` where the rows differ, or nil.
    @inline(__always)
    public static func first(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>, in columns: Range<Int>) -> Int? {
        var x = columns.lowerBound
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while x &+ 16 <= columns.upperBound {
            let va = ra.loadUnaligned(fromByteOffset: x &* 4, as: SIMD16<UInt32>.self)
            let vb = rb.loadUnaligned(fromByteOffset: x &* 4, as: SIMD16<UInt32>.self)
            if any(va .!= vb) { break }
            x &+= 16
        }
        while x < columns.upperBound {
            if a[x] != b[x] { return x }
            x &+= 1
        }
        return nil
    }

    /// The last column in `columns` where the rows differ, or nil.
    @inline(__always)
    public static func last(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>, in columns: Range<Int>) -> Int? {
        var end = columns.upperBound
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while end &- 16 >= columns.lowerBound {
            let va = ra.loadUnaligned(fromByteOffset: (end &- 16) &* 4, as: SIMD16<UInt32>.self)
            let vb = rb.loadUnaligned(fromByteOffset: (end &- 16) &* 4, as: SIMD16<UInt32>.self)
            if any(va .!= vb) { break }
            end &-= 16
        }
        while end > columns.lowerBound {
            end &-= 1
            if a[end] != b[end] { return end }
        }
        return nil
    }
}
