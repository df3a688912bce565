import CTurboJPEG
import Geometry
import Pixels

/// Compresses rectangles of canonical XRGB8888 pixels to JFIF with libjpeg-turbo, for Tight's
/// JpegCompression (rfbproto "Tight Encoding").
///
/// The pixels go to `tjCompress2` straight from the frame: an XRGB8888 `UInt32` is B, G, R, X in
/// little-endian memory (`TJPF_BGRX`), and the frame's stride is the pitch, so nothing is copied.
/// The output buffer is allocated once at the worst-case size (`tjBufSize`) and grows only for a
/// larger rect, so libjpeg-turbo never reallocates it.
final class TightJPEGCompressor {
    private let handle: tjhandle
    private var buffer: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    private static let pixelFormat = Int32(UInt32(1).littleEndian == 1 ? TJPF_BGRX.rawValue : TJPF_XRGB.rawValue)

    /// TigerVNC's table for QualityLevel 0...9: JPEG quality and chroma subsampling
    /// (4:2:0 for the lowest three levels, 4:2:2 for the next three, none above).
    static let qualities: [Int32] = [15, 29, 41, 42, 62, 77, 79, 86, 92, 100]
    static func subsampling(forLevel level: Int) -> TJSAMP {
        level <= 2 ? TJSAMP_420 : level <= 5 ? TJSAMP_422 : TJSAMP_444
    }

    init?() {
        guard let h = tjInitCompress() else { return nil }
        handle = h
    }

    deinit {
        if let buffer { tjFree(buffer) }
        tjDestroy(handle)
    }

    /// Compresses `rect` of `frame` at QualityLevel `level` (0...9) and runs `body` with the
    /// JPEG bytes; returns nil (without calling `body`) when libjpeg-turbo fails.
    func compress<R>(_ rect: Rect, of frame: PixelView, level: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        let level = max(0, min(9, level))
        let subsampling = Self.subsampling(forLevel: level)
        let needed = Int(tjBufSize(Int32(rect.width), Int32(rect.height), Int32(subsampling.rawValue)))
        if needed > capacity {
            if let buffer { tjFree(buffer) }
            buffer = tjAlloc(Int32(needed))
            capacity = buffer == nil ? 0 : needed
        }
        guard let buffer else { return nil }
        var out: UnsafeMutablePointer<UInt8>? = buffer
        var size = UInt(capacity)
        let source = UnsafeRawPointer(frame.row(rect.minY) + rect.minX).assumingMemoryBound(to: UInt8.self)
        let status = tjCompress2(handle, source, Int32(rect.width), Int32(frame.stride * 4), Int32(rect.height),
                                 Self.pixelFormat, &out, &size, Int32(subsampling.rawValue), Self.qualities[level],
                                 TJFLAG_NOREALLOC | TJFLAG_FASTDCT)
        guard status == 0 else { return nil }
        guard out == buffer else { return nil }
        return body(UnsafeRawBufferPointer(start: buffer, count: Int(size)))
    }
}
