import Testing
import CZlib
@testable import ZlibStreams

/// A stream split the pigz way (raw deflate pieces, each primed with the 32 KiB before it, all
/// sync-flushed) must inflate as one ordinary zlib stream, and its first stream must continue it
/// after `restart(history:)`.
struct SplitDeflateStreamTests {
    /// Repetitive bytes with some noise, so matches reach back across piece boundaries.
    static func data(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = seed
        return (0..<count).map { j in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return j % 9 == 0 ? UInt8(truncatingIfNeeded: rng >> 56) : UInt8(j % 251 / 3)
        }
    }

    @Test func headerIsWhatZlibWrites() {
        for level in 0...9 {
            let zlib = DeflateStream(level: level)
            var a: [UInt8] = []
            zlib.compress(Self.data(1000, seed: 1), appendingTo: &a)
            let split = DeflateStream(level: level, framing: .zlibHeaderThenRaw)
            var b: [UInt8] = []
            split.compress(Self.data(1000, seed: 1), appendingTo: &b)
            #expect(a == b, "level \(level)")
        }
    }

    @Test(arguments: [1, 2, 3, 4], [100, 20_000, 100_000])
    func piecesInflateAsOneStream(pieces: Int, pieceSize: Int) throws {
        let main = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let inflater = InflateStream()
        var history: [UInt8] = []
        for round in 0..<3 {
            // A serial chunk between split ones, as serial and parallel updates alternate; it ends
            // with a partial flush, as a serial ZRLE rectangle does, whose last bits lead the
            // first piece.
            let serial = Self.data(777 * (round + 1), seed: UInt64(round) + 99)
            var wire: [UInt8] = []
            main.compress(serial, appendingTo: &wire, flush: .partial)
            #expect(main.bitsPending)
            #expect(try inflater.decompress(wire, limit: serial.count) == serial)
            history += serial

            let inputs = (0..<pieces).map { Self.data(pieceSize + $0 * 13, seed: UInt64(round * 10 + $0)) }
            wire = []
            for (k, input) in inputs.enumerated() {
                let stream = k == 0 ? main : DeflateStream(level: 6, framing: .raw)
                if k > 0 { history.withUnsafeBytes { stream.restart(history: $0) } }
                stream.compress(input, appendingTo: &wire)
                history += input
            }
            #expect(!main.bitsPending, "the first piece's sync flush wrote the serial chunk's last bits")
            let all = inputs.flatMap { $0 }
            #expect(try inflater.decompress(wire, limit: all.count) == all)
            history.withUnsafeBytes { main.restart(history: $0) }
        }
        let last = Self.data(5000, seed: 7)
        var wire: [UInt8] = []
        main.compress(last, appendingTo: &wire)
        #expect(try inflater.decompress(wire, limit: last.count) == last)
    }

    @Test func aWrongHistoryBreaksTheStream() throws {
        // Shows the history matters: matches into a history the viewer never saw corrupt the data.
        let main = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let inflater = InflateStream()
        let first = Self.data(40_000, seed: 3)
        var wire: [UInt8] = []
        main.compress(first, appendingTo: &wire)
        _ = try inflater.decompress(wire, limit: first.count)
        let other = Self.data(40_000, seed: 4)
        other.withUnsafeBytes { main.restart(history: $0) }
        wire = []
        main.compress(other, appendingTo: &wire)
        let out = try? inflater.decompress(wire, limit: other.count)
        #expect(out != other)
    }
}
