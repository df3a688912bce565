import CTurboJPEG
import Pixels

/// Writes pictures as JPEG (JFIF) files with libjpeg-turbo, for `porthole snapshot shot.jpg`.
///
/// The pixels go to `tjCompress2` straight from the buffer: an XRGB8888 `UInt32` is B, G, R, X in
/// little-endian memory (`TJPF_BGRX`). Chroma is kept at full resolution (4:4:4) and the DCT is the
/// accurate one: a snapshot is read by people and tools, not streamed, so fidelity beats speed.
public enum JPEGImage {
    /// The qualities libjpeg-turbo takes.
    public static let qualities = 1...100

    /// Encodes `buffer` at `quality` (1...100).
    public static func encode(_ buffer: PixelBuffer, quality: Int) throws(JPEGError) -> [UInt8] {
        guard qualities.contains(quality) else { throw JPEGError(path: nil, message: "quality \(quality) is outside 1...100") }
        guard buffer.width > 0, buffer.height > 0 else {
            throw JPEGError(path: nil, message: "an empty \(buffer.width)x\(buffer.height) image has no JPEG form")
        }
        guard let handle = tjInitCompress() else { throw JPEGError(path: nil, message: "libjpeg-turbo could not start") }
        defer { tjDestroy(handle) }
        let format = Int32(UInt32(1).littleEndian == 1 ? TJPF_BGRX.rawValue : TJPF_XRGB.rawValue)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { if let out { tjFree(out) } }
        // The X byte is ignored in BGRX, so borrowed pixels are read where they are.
        let status = buffer.withView { view in
            tjCompress2(handle, UnsafeRawPointer(view.base).assumingMemoryBound(to: UInt8.self), Int32(view.width),
                        Int32(view.stride * 4), Int32(view.height), format, &out, &size, Int32(TJSAMP_444.rawValue), Int32(quality), 0)
        }
        guard status == 0, let out else { throw JPEGError(path: nil, message: String(cString: tjGetErrorStr2(handle))) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// Encodes `buffer` at `quality` and writes it to `path`, replacing any file there.
    public static func save(_ buffer: PixelBuffer, to path: String, quality: Int) throws(JPEGError) {
        let data: [UInt8]
        do { data = try encode(buffer, quality: quality) } catch { throw JPEGError(path: path, message: error.message) }
        if let failure = WholeFile.write(data, to: path) { throw JPEGError(path: path, message: failure) }
    }
}

/// Why a JPEG could not be written, naming the file when there is one.
public struct JPEGError: Error, Equatable, CustomStringConvertible {
    public var path: String?
    public var message: String
    public var description: String { "\(path ?? "JPEG data"): cannot write: \(message)" }
}
