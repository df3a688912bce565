import CLibDeflate
import Testing
@testable import ZlibStreams

/// Chunks made by libdeflate and spliced into a running stream (`SplicedChunkDeflater`,
/// `DeflateStream.compressSpliced`) must inflate, chunk by chunk, as one ordinary zlib stream
/// with zlib's own chunks around them, and the stream must continue after them with their bytes
/// as history.
struct SplicedChunkTests {
    static let words: [[UInt8]] = (0..<16).map { Array("w\($0)x\($0 * 7 % 5) ".utf8) }

    /// Text-like bytes: words from a small vocabulary, with some noise.
    static func text(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = seed
        var out: [UInt8] = []
        out.reserveCapacity(count + 16)
        while out.count < count {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            out += words[Int(rng >> 60)]
            if rng >> 40 & 0xff < 8 { out.append(UInt8(truncatingIfNeeded: rng >> 24)) }
        }
        return Array(out.prefix(count))
    }

    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = seed
        return (0..<count).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: rng >> 56)
        }
    }

    /// A raw deflate stream of `input` from libdeflate, as it makes it (last block final).
    static func libdeflate(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        let compressor = try #require(libdeflate_alloc_compressor(level))
        defer { libdeflate_free_compressor(compressor) }
        var out = [UInt8](repeating: 0, count: libdeflate_deflate_compress_bound(compressor, input.count))
        let count = input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { libdeflate_deflate_compress(compressor, i.baseAddress, i.count, $0.baseAddress, $0.count) }
        }
        return Array(out.prefix(count))
    }

    static func bounds(_ compressed: [UInt8], _ original: [UInt8]) -> FinalDeflateBlock.Bounds? {
        compressed.withUnsafeBytes { c in original.withUnsafeBytes { FinalDeflateBlock().bounds(of: c, inflatingTo: $0) } }
    }

    @Test func finalBlockOfOneBlockStreamStartsAtBitZero() throws {
        let input = Self.text(3000, seed: 1)
        let compressed = try Self.libdeflate(input)
        let bounds = try #require(Self.bounds(compressed, input))
        #expect(bounds.start == 0)
        #expect(compressed[0] & 1 == 1, "BFINAL is the first bit")
        #expect((bounds.end + 7) / 8 == compressed.count)
    }

    @Test func finalBlockOfLongStreamIsFoundAfterTheOthers() throws {
        // Text, then noise, then text: libdeflate starts new blocks where the statistics change.
        let input = Self.text(80_000, seed: 2) + Self.noise(40_000, seed: 3) + Self.text(80_000, seed: 4)
        let compressed = try Self.libdeflate(input)
        let bounds = try #require(Self.bounds(compressed, input))
        #expect(bounds.start > 0, "several blocks")
        #expect(compressed[bounds.start / 8] >> (bounds.start % 8) & 1 == 1, "BFINAL set at the found start")
    }

    @Test func finalBlockRejectsWhatDoesNotInflateToTheOriginal() throws {
        let input = Self.text(20_000, seed: 5)
        let compressed = try Self.libdeflate(input)
        #expect(Self.bounds(compressed, input) != nil)
        #expect(Self.bounds(Array(compressed.dropLast(3)), input) == nil, "truncated")
        #expect(Self.bounds(compressed + [0x55], input) == nil, "bytes after the final block")
        #expect(Self.bounds(compressed, Array(input.dropLast())) == nil, "inflates to more")
        #expect(Self.bounds(compressed, input + [1]) == nil, "inflates to less")
        var different = input
        different[10_000] ^= 1
        #expect(Self.bounds(compressed, different) == nil, "inflates to other bytes")
        var corrupt = compressed
        corrupt[compressed.count / 2] ^= 0xA5
        #expect(Self.bounds(corrupt, input) == nil, "corrupt")
        #expect(Self.bounds([], []) == nil)
        // zlib's own sync-flushed output has no final block at all.
        let zlib = DeflateStream(level: 6, framing: .raw)
        var synced: [UInt8] = []
        zlib.compress(input, appendingTo: &synced)
        #expect(Self.bounds(synced, input) == nil)
    }

    /// Chunks of a stream in the order they are sent: zlib's (partial or sync flush) and spliced
    /// ones, each inflated on its own by one viewer stream, whole and in small pieces.
    @Test(arguments: [1, 6, 9])
    func splicedChunksInflateAsOneStream(level: Int) throws {
        let stream = DeflateStream(level: level, framing: .zlibHeaderThenRaw)
        let deflater = SplicedChunkDeflater()
        var history: [UInt8] = []
        var sent: [(wire: [UInt8], input: [UInt8])] = []
        var endResidues = Set<Int>()
        // The first chunk is spliced, so the zlib header has to come before it.
        for step in 0..<12 {
            let input = step % 3 == 1 ? Self.text(300 + step * 37, seed: UInt64(step))
                : step % 5 == 4 ? Self.noise(20_000, seed: UInt64(step)) : Self.text(17_000 + step * 1013, seed: UInt64(step))
            history += input
            var wire: [UInt8] = []
            if step % 3 == 1 {
                stream.compress(input, appendingTo: &wire, flush: step % 2 == 0 ? .sync : .partial)
            } else {
                let spliced = input.withUnsafeBytes { i in
                    history.withUnsafeBytes { stream.compressSpliced(i, with: deflater, history: $0, appendingTo: &wire) }
                }
                #expect(spliced)
                #expect(!stream.bitsPending)
                #expect(wire.suffix(4) == [0x00, 0x00, 0xFF, 0xFF], "ends with an empty stored block")
                endResidues.insert(try #require(try Self.lastEndBit(of: input, level: level)) % 8)
            }
            sent.append((wire, input))
        }
        let whole = InflateStream()
        let byteByByte = InflateStream()
        for (k, chunk) in sent.enumerated() {
            #expect(try chunk.wire.withUnsafeBytes { try whole.decompress($0, limit: chunk.input.count) } == chunk.input, "chunk \(k)")
            // Byte by byte where the chunks join (the first and last 512 bytes: the zlib header,
            // the cleared BFINAL bit, the end-of-block code and the empty stored block), and in
            // pieces of a prime size between them: each call may inflate up to the whole chunk, so
            // byte by byte throughout took seconds of a debug build's CPU per chunk.
            var bytes: [UInt8] = []
            var offset = 0
            while offset < chunk.wire.count {
                let nearEdge = offset < 512 || offset >= chunk.wire.count - 512
                let end = min(chunk.wire.count, offset + (nearEdge ? 1 : 251))
                bytes += try chunk.wire[offset..<end].withUnsafeBytes { try byteByByte.decompress($0, limit: chunk.input.count) }
                offset = end
            }
            #expect(bytes == chunk.input, "chunk \(k) byte by byte")
        }
        #expect(endResidues.count >= 4, "end-of-block codes ending at bit offsets \(endResidues.sorted())")
    }

    /// Where libdeflate's final block of `input` ends, as `SplicedChunkDeflater` sees it.
    static func lastEndBit(of input: [UInt8], level: Int) throws -> Int? {
        try bounds(libdeflate(input, level: Int32(level)), input)?.end
    }

    /// Every padding case after the end-of-block code: room for the stored block's header in the
    /// last byte (5-7 bits) or not (0-2 bits), over inputs whose ends fall on each bit offset.
    @Test func everyEndBitOffsetSplices() throws {
        var covered = Set<Int>()
        let inflater = InflateStream()
        let stream = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let deflater = SplicedChunkDeflater()
        var history: [UInt8] = []
        for size in 100..<400 where covered.count < 8 {
            let input = Self.text(size, seed: UInt64(size))
            let offset = try #require(try Self.lastEndBit(of: input, level: 6)) % 8
            guard !covered.contains(offset) else { continue }
            covered.insert(offset)
            history += input
            var wire: [UInt8] = []
            let spliced = input.withUnsafeBytes { i in
                history.withUnsafeBytes { stream.compressSpliced(i, with: deflater, history: $0, appendingTo: &wire) }
            }
            #expect(spliced)
            #expect(try wire.withUnsafeBytes { try inflater.decompress($0, limit: size) } == input, "end offset \(offset)")
        }
        #expect(covered == Set(0..<8))
    }

    /// After a spliced chunk the stream matches against its bytes: a repeat of them deflates to
    /// a few bytes, which only a stream that took them as history can do.
    @Test func streamContinuesWithTheSplicedBytesAsHistory() throws {
        let stream = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let deflater = SplicedChunkDeflater()
        let inflater = InflateStream()
        let input = Self.noise(20_000, seed: 42)
        var wire: [UInt8] = []
        let spliced = input.withUnsafeBytes { i in stream.compressSpliced(i, with: deflater, history: i, appendingTo: &wire) }
        #expect(spliced)
        #expect(try inflater.decompress(wire, limit: input.count) == input)
        let repeatOfTail = Array(input.suffix(10_000))
        var next: [UInt8] = []
        stream.compress(repeatOfTail, appendingTo: &next)
        #expect(next.count < 100, "\(next.count) bytes for 10 000 bytes seen before")
        #expect(try inflater.decompress(next, limit: repeatOfTail.count) == repeatOfTail)
    }

    /// History in two parts: the stream continues with the end of the earlier part and all of the
    /// later one (which holds the spliced chunk) as its dictionary, as if they were joined.
    @Test func historyInTwoPartsIsJoined() throws {
        let stream = DeflateStream(level: 6, framing: .zlibHeaderThenRaw)
        let inflater = InflateStream()
        let earlier = Self.noise(30_000, seed: 7)
        let input = Self.noise(8_000, seed: 8)
        var wire: [UInt8] = []
        // The earlier part went out before: the viewer's inflate has seen it.
        stream.compress(earlier, appendingTo: &wire)
        let spliced = input.withUnsafeBytes { i in
            earlier.withUnsafeBytes { e in stream.compressSpliced(i, with: SplicedChunkDeflater(), earlierHistory: e, history: i, appendingTo: &wire) }
        }
        #expect(spliced)
        // The restart's 16 KiB (`DeflateStream.recentDictionaryBytes`) end with the 8 000 spliced
        // bytes, so the earlier part's last 8 384 bytes are in them.
        let repeatOfEarlier = Array(earlier[22_000..<29_000])
        var next: [UInt8] = []
        stream.compress(repeatOfEarlier, appendingTo: &next)
        #expect(next.count < 100, "\(next.count) bytes for 7 000 bytes of the earlier part")
        #expect(try inflater.decompress(wire + next, limit: earlier.count + input.count + repeatOfEarlier.count)
                == earlier + input + repeatOfEarlier)
    }

    /// A chunk longer than a piece goes as several, each spliced; together they inflate to it.
    @Test func longChunkGoesAsSeveralPieces() throws {
        let input = Self.text(50_000, seed: 3)
        var whole: [UInt8] = [], pieces: [UInt8] = []
        #expect(input.withUnsafeBytes { SplicedChunkDeflater().compress($0, level: 6, appendingTo: &whole) })
        #expect(input.withUnsafeBytes { SplicedChunkDeflater(maximumPieceBytes: 12_000).compress($0, level: 6, appendingTo: &pieces) })
        let storedBlocks = { (bytes: [UInt8]) in (0..<(bytes.count - 3)).filter { bytes[$0..<($0 + 4)] == [0, 0, 0xFF, 0xFF] }.count }
        #expect(storedBlocks(pieces) >= 5, "five pieces of at most 12 000 bytes, each ending with a stored block")
        for wire in [whole, pieces] {
            let inflater = InflateStream()
            #expect(try inflater.decompress(DeflateStream.zlibHeader(level: 6) + wire, limit: input.count) == input)
        }
    }

    /// A trial's measure (`compressedSize`) is the piece's size: libdeflate's stream, then the
    /// closing stored block's 4 or 5 bytes, counted as 5.
    @Test(arguments: [100, 1_000, 5_000, 15_000])
    func compressedSizeIsThePiecesSize(count: Int) throws {
        let deflater = SplicedChunkDeflater()
        for seed in UInt64(1)...8 {
            let input = Self.text(count, seed: seed)
            var piece: [UInt8] = []
            #expect(input.withUnsafeBytes { deflater.compress($0, level: 6, appendingTo: &piece) })
            let measured = try #require(input.withUnsafeBytes { deflater.compressedSize(of: $0, level: 6) })
            #expect(measured == piece.count || measured == piece.count + 1, "\(count) bytes, seed \(seed): \(measured) vs \(piece.count)")
        }
        #expect(deflater.compressedSize(of: UnsafeRawBufferPointer(start: nil, count: 0), level: 6) == nil)
        #expect(Self.text(100, seed: 1).withUnsafeBytes { deflater.compressedSize(of: $0, level: 0) } == nil)
    }

    @Test func levelZeroAndEmptyInputAreNotSpliced() {
        let deflater = SplicedChunkDeflater()
        var out: [UInt8] = []
        #expect(!deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), level: 6, appendingTo: &out))
        let stream = DeflateStream(level: 0, framing: .raw)
        let input = Self.text(20_000, seed: 1)
        #expect(!input.withUnsafeBytes { stream.compressSpliced($0, with: deflater, history: $0, appendingTo: &out) })
        #expect(out.isEmpty)
    }
}
