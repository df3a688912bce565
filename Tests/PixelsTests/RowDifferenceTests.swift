import Pixels
import PortholeTestSupport
import Testing

/// `RowDifference` against a pixel-by-pixel scan: rows of every length around the 16-pixel
/// step, ranges that start and end anywhere, and differences at every place in them.
struct RowDifferenceTests {
    private static func naiveFirst(_ a: [UInt32], _ b: [UInt32], in columns: Range<Int>) -> Int? {
        columns.first { a[$0] != b[$0] }
    }

    private static func naiveLast(_ a: [UInt32], _ b: [UInt32], in columns: Range<Int>) -> Int? {
        columns.reversed().first { a[$0] != b[$0] }
    }

    private static func both(_ a: [UInt32], _ b: [UInt32], in columns: Range<Int>) -> (first: Int?, last: Int?) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                (RowDifference.first(pa.baseAddress!, pb.baseAddress!, in: columns),
                 RowDifference.last(pa.baseAddress!, pb.baseAddress!, in: columns))
            }
        }
    }

    @Test func aSingleDifferenceIsFoundFromBothEndsWhereverItIs() {
        for length in [1, 15, 16, 17, 31, 32, 33, 70] {
            let a = [UInt32](repeating: 0xfdfdfd, count: length)
            for place in 0..<length {
                var b = a
                b[place] = 0x202020
                let found = Self.both(a, b, in: 0..<length)
                #expect(found.first == place && found.last == place, "length \(length), difference at \(place)")
            }
            #expect(Self.both(a, a, in: 0..<length) == (nil, nil))
        }
    }

    @Test func randomRowsAndRangesAgreeWithAPixelByPixelScan() {
        var rng = SplitMix(seed: 0x5eed)
        for _ in 0..<2000 {
            let length = Int(rng.next() % 200) + 1
            let a = (0..<length).map { _ in UInt32(rng.next() % 3) }
            var b = a
            // Sparse differences, so equal stretches longer than 16 pixels are common.
            for _ in 0..<Int(rng.next() % 4) { b[Int(rng.next() % UInt64(length))] ^= 1 }
            let lower = Int(rng.next() % UInt64(length + 1))
            let upper = lower + Int(rng.next() % UInt64(length - lower + 1))
            let found = Self.both(a, b, in: lower..<upper)
            #expect(found.first == Self.naiveFirst(a, b, in: lower..<upper))
            #expect(found.last == Self.naiveLast(a, b, in: lower..<upper))
        }
    }
}
