import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the last block of a complete raw deflate stream (RFC 1951) begins and ends, in bits from
/// the stream's first byte, found by inflating it with zlib, which also checks that the stream
/// inflates to exactly the bytes it was made from.
///
/// `SplicedChunkDeflater` needs both positions to turn a finished stream into a piece of a running
/// one: the block header's first bit is BFINAL (RFC 1951 §3.2.3), and the end of the block's
/// end-of-block code is where the next block has to begin. Finding them takes a walk through every
/// Huffman code of the stream, which is what inflate does; zlib's `Z_BLOCK` flush makes it stop at
/// each block boundary and report the bits it holds there (zlib manual, `inflate`: `data_type`).
public final class FinalDeflateBlock {
    /// The last block: its header's first bit, and the bit after its end-of-block code.
    public struct Bounds: Equatable, Sendable {
        public let start: Int
        public let end: Int
    }

    private var stream = z_stream()
    private var scratch: [UInt8] = []

    public init() {
        let status = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit2 failed: \(status)")
    }

    deinit { inflateEnd(&stream) }

    /// The bounds of the last block of `compressed`, a raw deflate stream that must end with that
    /// block (nothing after it but the padding to a whole byte) and inflate to exactly `original`;
    /// nil when it does not.
    public func bounds(of compressed: UnsafeRawBufferPointer, inflatingTo original: UnsafeRawBufferPointer) -> Bounds? {
        guard compressed.count > 0, compressed.count < Int(UInt32.max), original.count < Int(UInt32.max) else { return nil }
        precondition(inflateReset(&stream) == Z_OK, "inflateReset failed")
        // One byte more than expected, so that a stream inflating to more shows it.
        if scratch.count < original.count + 1 { scratch = [UInt8](repeating: 0, count: original.count + 1) }
        var blockStart = 0
        var result: Bounds?
        scratch.withUnsafeMutableBufferPointer { out in
            stream.next_in = UnsafeMutablePointer(mutating: compressed.baseAddress!.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(compressed.count)
            stream.next_out = out.baseAddress
            stream.avail_out = UInt32(original.count + 1)
            defer { stream.next_in = nil; stream.avail_in = 0; stream.next_out = nil; stream.avail_out = 0 }
            while true {
                let status = inflate(&stream, Z_BLOCK)
                guard status == Z_OK else { return }  // corrupt, or stuck: no final block in the input
                let bitsRead = (compressed.count - Int(stream.avail_in)) * 8 - Int(stream.data_type & 7)
                // Bit 7: stopped at a block boundary; bit 6: the block just ended was the last.
                guard stream.data_type & 128 != 0 else { continue }
                if stream.data_type & 64 == 0 {
                    blockStart = bitsRead
                    continue
                }
                let produced = original.count + 1 - Int(stream.avail_out)
                guard produced == original.count, (bitsRead + 7) / 8 == compressed.count,
                      produced == 0 || memcmp(out.baseAddress!, original.baseAddress!, produced) == 0 else { return }
                result = Bounds(start: blockStart, end: bitsRead)
                return
            }
        }
        return result
    }
}
