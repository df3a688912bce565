import CZlib

/// One persistent zlib deflate stream, as ZRLE (RFC 6143 §7.7.6) and Tight keep per connection:
/// every chunk is compressed with `Z_SYNC_FLUSH` so the viewer can inflate it at once while the
/// dictionary carries over between updates. The level can change between chunks
/// (`deflateParams`), which the CompressLevel pseudo-encoding needs and compress-nio lacks.
public final class DeflateStream {
    private var stream = z_stream()
    public private(set) var level: Int32

    public init(level: Int) {
        self.level = Int32(max(0, min(9, level)))
        let status = deflateInit_(&stream, self.level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit failed: \(status)")
    }

    deinit { deflateEnd(&stream) }

    /// Changes the compression level for the following chunks.
    public func setLevel(_ newLevel: Int) {
        let l = Int32(max(0, min(9, newLevel)))
        guard l != level else { return }
        // deflateParams may need to flush pending input; there is none between our sync-flushed chunks.
        var scratch = [UInt8](repeating: 0, count: 64)
        scratch.withUnsafeMutableBufferPointer { p in
            stream.next_in = nil; stream.avail_in = 0
            stream.next_out = p.baseAddress; stream.avail_out = UInt32(p.count)
            _ = deflateParams(&stream, l, Z_DEFAULT_STRATEGY)
        }
        level = l
    }

    /// Compresses `input` and sync-flushes, appending the output to `output`.
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 16
        let start = output.count
        output.reserveCapacity(start + bound)
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        repeat {
            output.append(contentsOf: repeatElement(0, count: bound))
            output.withUnsafeMutableBufferPointer { p in
                stream.next_out = p.baseAddress! + start + produced
                stream.avail_out = UInt32(bound)
                let status = CZlib.deflate(&stream, Z_SYNC_FLUSH)
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed: \(status)")
                produced += bound - Int(stream.avail_out)
            }
            output.removeLast(output.count - start - produced)
        } while stream.avail_out == 0
        stream.next_in = nil
    }

    public func compress(_ input: [UInt8], appendingTo output: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, appendingTo: &output) }
    }
}
