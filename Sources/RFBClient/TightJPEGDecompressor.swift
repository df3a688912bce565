import CTurboJPEG
import Geometry
import Pixels

/// Decodes Tight's JpegCompression data (rfbproto "Tight Encoding": a JFIF stream) with
/// libjpeg-turbo straight into the framebuffer rows.
final class TightJPEGDecompressor {
    private let handle: tjhandle
    private static let pixelFormat = Int32(UInt32(1).littleEndian == 1 ? TJPF_BGRX.rawValue : TJPF_XRGB.rawValue)

    init?() {
        guard let h = tjInitDecompress() else { return nil }
        handle = h
    }

    deinit { tjDestroy(handle) }

    private func lastError() -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
    }

    /// Decodes `jpeg` into `rect` of the canonical pixels at `base` (row stride `stride`). The
    /// image must have exactly the rect's size. Returns nil on success, else what went wrong.
    func decode(_ jpeg: UnsafeRawBufferPointer, rect: Rect, base: UnsafeMutablePointer<UInt32>, stride: Int) -> String? {
        guard let source = jpeg.baseAddress?.assumingMemoryBound(to: UInt8.self), jpeg.count > 0 else {
            return "empty JPEG data"
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        guard tjDecompressHeader3(handle, source, UInt(jpeg.count), &width, &height, &subsampling, &colourspace) == 0 else {
            return "JPEG header: \(lastError())"
        }
        guard Int(width) == rect.width && Int(height) == rect.height else {
            return "JPEG image is \(width)x\(height) but the rect is \(rect.width)x\(rect.height)"
        }
        let destination = UnsafeMutableRawPointer(base + rect.minY * stride + rect.minX).assumingMemoryBound(to: UInt8.self)
        guard tjDecompress2(handle, source, UInt(jpeg.count), destination, width, Int32(stride * 4), height,
                            Self.pixelFormat, 0) == 0 else {
            return "JPEG data: \(lastError())"
        }
        return nil
    }
}
