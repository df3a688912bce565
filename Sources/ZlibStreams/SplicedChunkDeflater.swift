import CLibDeflate

/// Deflates large chunks with libdeflate into pieces that splice into a running deflate stream.
///
/// libdeflate compresses a whole buffer 3-4 times faster than zlib at the same level and to about
/// the same size (docs/benchmarks.md, "libdeflate for large runs"), but only as a finished
/// stream: its last block is marked final, and it cannot continue a stream or take a dictionary.
/// A piece of a running stream needs neither: deflate's back-references may simply not reach
/// before the piece (RFC 1951 §3.2.5 allows, and does not require, them to). So a chunk becomes a
/// piece by two edits to libdeflate's output:
///
/// - the last block's BFINAL bit (RFC 1951 §3.2.3) is cleared, so the viewer's inflate expects
///   more blocks;
/// - an empty stored block follows the end-of-block code (3 header bits of zero, padding to the
///   byte, then LEN 0 and NLEN 0xFFFF): what zlib's `Z_SYNC_FLUSH` writes, so the piece ends on a
///   byte boundary, as the next piece of the stream, from any compressor, must begin.
///
/// The piece must itself begin on a byte boundary of the stream (after a sync flush, or at the
/// start of raw data), and the stream that continues after it must know the piece's bytes as
/// history (`DeflateStream.compressSpliced`). The bit positions come from inflating the output
/// (`FinalDeflateBlock`), which also checks it; if anything is amiss the chunk is not spliced and
/// the caller deflates it as before.
///
/// One value per thread: the libdeflate compressor and the inflate stream are not shareable.
public final class SplicedChunkDeflater {
    /// The most input one libdeflate call takes: longer chunks go as several pieces, one after
    /// another, so that the scratch memory (libdeflate's output and the checking inflate's, each
    /// about the piece's size) stays near 2 MiB per deflater, whatever the update. Matches
    /// cannot cross from one piece into the next, which costs next to nothing at this size.
    public static let defaultMaximumPieceBytes = 1 << 20

    private let maximumPieceBytes: Int
    private var compressor: OpaquePointer?
    private var compressorLevel: Int32 = -1
    private let finalBlock = FinalDeflateBlock()
    private var scratch: [UInt8] = []

    public init(maximumPieceBytes: Int = SplicedChunkDeflater.defaultMaximumPieceBytes) {
        precondition(maximumPieceBytes > 0)
        self.maximumPieceBytes = maximumPieceBytes
    }

    deinit { if let compressor { libdeflate_free_compressor(compressor) } }

    /// Appends `input` deflated at `level` (1...9, as zlib's) to `output` as a piece (see the
    /// type's note), and returns true; or returns false, appending nothing.
    public func compress(_ input: UnsafeRawBufferPointer, level: Int, appendingTo output: inout [UInt8]) -> Bool {
        guard input.count > 0, (1...9).contains(level), let compressor = compressor(level: Int32(level)) else { return false }
        let start = output.count
        var offset = 0
        while offset < input.count {
            let piece = UnsafeRawBufferPointer(rebasing: input[offset..<min(input.count, offset + maximumPieceBytes)])
            guard compressPiece(piece, with: compressor, appendingTo: &output) else {
                output.removeLast(output.count - start)
                return false
            }
            offset += piece.count
        }
        return true
    }

    /// The bytes `compress` would append for `input` at `level`, without the check or the append,
    /// or nil when libdeflate makes nothing of it: a trial's measure (`SpliceAdvisor`). The stored
    /// block a piece ends with is counted as its usual 5 bytes (4 when the padding takes its header).
    public func compressedSize(of input: UnsafeRawBufferPointer, level: Int) -> Int? {
        guard input.count > 0, input.count <= maximumPieceBytes, (1...9).contains(level),
              let compressor = compressor(level: Int32(level)) else { return nil }
        let bound = libdeflate_deflate_compress_bound(compressor, input.count)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let count = scratch.withUnsafeMutableBytes { libdeflate_deflate_compress(compressor, input.baseAddress, input.count, $0.baseAddress, bound) }
        return count > 0 ? count + 5 : nil
    }

    private func compressPiece(_ input: UnsafeRawBufferPointer, with compressor: OpaquePointer, appendingTo output: inout [UInt8]) -> Bool {
        let bound = libdeflate_deflate_compress_bound(compressor, input.count)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        return scratch.withUnsafeMutableBytes { buffer -> Bool in
            let count = libdeflate_deflate_compress(compressor, input.baseAddress, input.count, buffer.baseAddress, bound)
            let compressed = UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
            guard count > 0, let bounds = finalBlock.bounds(of: UnsafeRawBufferPointer(compressed), inflatingTo: input) else { return false }
            compressed[bounds.start / 8] &= ~UInt8(1 << (bounds.start % 8))
            // The padding after the end-of-block code becomes the stored block's header: zero it.
            if bounds.end % 8 != 0 { compressed[bounds.end / 8] &= UInt8(1 << (bounds.end % 8)) - 1 }
            output.append(contentsOf: compressed)
            // The stored block's 3 header bits (all zero) go into the padding after the
            // end-of-block code when it has room for them, or else into one more zero byte; the
            // block then starts at the next byte with LEN and NLEN.
            let padding = (8 - bounds.end % 8) % 8
            if padding < 3 { output.append(0) }
            output.append(contentsOf: [0x00, 0x00, 0xFF, 0xFF])
            return true
        }
    }

    private func compressor(level: Int32) -> OpaquePointer? {
        if level != compressorLevel {
            if let compressor { libdeflate_free_compressor(compressor) }
            compressor = libdeflate_alloc_compressor(level)
            compressorLevel = compressor == nil ? -1 : level
        }
        return compressor
    }
}
