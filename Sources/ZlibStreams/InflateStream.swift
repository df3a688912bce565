import CZlib

/// One persistent zlib inflate stream (the viewer's side of ZRLE and Tight, and Extended Clipboard
/// payloads). Output is bounded by the caller: input that would inflate past `limit` bytes is an
/// error, so a zlib bomb costs at most `limit` bytes of memory.
public final class InflateStream {
    public enum InflateError: Error, Equatable, CustomStringConvertible {
        case corrupt(String)
        case outputLimitExceeded(Int)
        public var description: String {
            switch self {
            case .corrupt(let m): return "corrupt zlib data: \(m)"
            case .outputLimitExceeded(let l): return "zlib data inflates past the limit of \(l) bytes"
            }
        }
    }

    private var stream = z_stream()

    public init() {
        let status = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit failed: \(status)")
    }

    deinit { inflateEnd(&stream) }

    /// Inflates all of `input` (one flushed chunk, sync or partial: `DeflateStream.Flush`) and returns the bytes it yields, at most
    /// `limit` of them.
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(InflateError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = max(256, min(limit, input.count * 4 + 256))
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        defer { stream.next_in = nil; stream.avail_in = 0 }
        while true {
            let start = output.count
            let room = min(chunk, limit + 1 - start)
            if room <= 0 { throw .outputLimitExceeded(limit) }
            output.append(contentsOf: repeatElement(0, count: room))
            var status: Int32 = Z_OK
            output.withUnsafeMutableBufferPointer { p in
                stream.next_out = p.baseAddress! + start
                stream.avail_out = UInt32(room)
                status = inflate(&stream, Z_SYNC_FLUSH)
            }
            let produced = room - Int(stream.avail_out)
            output.removeLast(room - produced)
            if output.count > limit { throw .outputLimitExceeded(limit) }
            switch status {
            case Z_STREAM_END:
                // The stream is complete; inflate makes no further progress, so bytes after the
                // end would otherwise loop here forever.
                if stream.avail_in > 0 { throw .corrupt("\(stream.avail_in) bytes after the end of the zlib stream") }
                return output
            case Z_OK:
                if stream.avail_in == 0 && stream.avail_out > 0 { return output }
            case Z_BUF_ERROR:
                if stream.avail_in == 0 { return output }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .corrupt(message)
            }
            chunk = min(chunk * 2, 1 << 24)
        }
    }

    public func decompress(_ input: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
        let result: Result<[UInt8], InflateError> = input.withUnsafeBytes { p in
            do throws(InflateError) { return .success(try decompress(p, limit: limit)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
