import CPNG
import Pixels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads and saves PNG files as `PixelBuffer`s through libpng's simplified API (`png_image_*`),
/// which converts every colour type and bit depth (grey, palette, 16-bit, with or without alpha)
/// to 8-bit RGB for us.
///
/// Alpha is composited onto black, because a framebuffer has no alpha and black is what a viewer
/// shows behind a transparent pixel of a cursor-less desktop; 8-bit opaque RGB images load with
/// their exact pixel values. Saving writes an 8-bit RGB PNG without alpha.
public enum PNGImage {
    /// The default largest width or height accepted by `load` and `decode` (a 16384 x 16384 frame
    /// already takes 1 GiB).
    public static let defaultMaximumDimension = 16384

    /// Reads and decodes the PNG file at `path`.
    public static func load(contentsOf path: String,
                            maximumDimension: Int = defaultMaximumDimension) throws(PNGError) -> PixelBuffer {
        let data = try readFile(path)
        return try decode(data, path: path, maximumDimension: maximumDimension)
    }

    /// Decodes PNG data held in memory. `path` only labels errors.
    public static func decode(_ data: [UInt8], path: String? = nil,
                              maximumDimension: Int = defaultMaximumDimension) throws(PNGError) -> PixelBuffer {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard data.count >= 8, Array(data[0..<8]) == signature else { throw .notPNG(path: path) }

        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let began = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw .decodeFailed(path: path, message: message(of: image)) }

        let width = Int(image.width), height = Int(image.height)
        guard width <= maximumDimension, height <= maximumDimension else {
            throw .tooLarge(width: width, height: height, maximumDimension: maximumDimension)
        }
        guard Self.couldHold(width: width, height: height, data) else {
            throw .dataTooShort(path: path, width: width, height: height, bytes: data.count)
        }
        image.format = png_uint_32(PNG_FORMAT_RGB)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var black = png_color(red: 0, green: 0, blue: 0)
        let finished = rgb.withUnsafeMutableBytes {
            png_image_finish_read(&image, &black, $0.baseAddress, png_int_32(width * 3), nil)
        }
        guard finished != 0 else { throw .decodeFailed(path: path, message: message(of: image)) }

        var buffer = PixelBuffer(width: width, height: height)
        buffer.pixels.withUnsafeMutableBufferPointer { out in
            rgb.withUnsafeBufferPointer { src in
                for i in 0..<(width * height) {
                    out[i] = UInt32(src[3 * i]) << 16 | UInt32(src[3 * i + 1]) << 8 | UInt32(src[3 * i + 2])
                }
            }
        }
        return buffer
    }

    /// Whether `data`, a PNG whose header libpng accepted, is long enough to hold a `width`x`height`
    /// image, checked before the pixels' memory is allocated: a 74-byte file claiming 16384x16384
    /// made the decoder allocate 800 MB before libpng found the image data missing.
    ///
    /// The filtered rows of a non-interlaced image take height x (1 + ceil(width x bits per pixel
    /// / 8)) bytes (PNG specification, 3rd edition, §7.2 and §9.1; interlacing only adds filter
    /// bytes), and deflate expands at most 1032 to 1 (RFC 1951: a 258-byte match in two bits), so the
    /// file must be at least that size over 1032. The bits per pixel come from IHDR, which a PNG
    /// must begin with (§5.6): its bit depth at byte 24 and colour type at byte 25.
    static func couldHold(width: Int, height: Int, _ data: [UInt8]) -> Bool {
        guard data.count >= 26 else { return false }
        let channels: Int
        switch data[25] {
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: channels = 1  // 0 greyscale, 3 palette indices
        }
        let rowBytes = 1 + (width * channels * Int(data[24]) + 7) / 8
        return height * rowBytes <= data.count * 1032
    }

    /// Encodes `buffer` as an 8-bit RGB PNG.
    public static func encode(_ buffer: PixelBuffer) throws(PNGError) -> [UInt8] {
        guard buffer.width > 0, buffer.height > 0 else {
            throw .writeFailed(path: nil, message: "an empty \(buffer.width)x\(buffer.height) image has no PNG form")
        }
        var rgb = [UInt8](repeating: 0, count: buffer.width * buffer.height * 3)
        for (i, p) in buffer.pixels.enumerated() {
            rgb[3 * i] = UInt8(truncatingIfNeeded: p >> 16)
            rgb[3 * i + 1] = UInt8(truncatingIfNeeded: p >> 8)
            rgb[3 * i + 2] = UInt8(truncatingIfNeeded: p)
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(buffer.width)
        image.height = png_uint_32(buffer.height)
        image.format = png_uint_32(PNG_FORMAT_RGB)
        defer { png_image_free(&image) }
        let stride = png_int_32(buffer.width * 3)

        var size: png_alloc_size_t = 0
        let sized = rgb.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0, size > 0 else { throw .writeFailed(path: nil, message: message(of: image)) }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBytes { o in
            rgb.withUnsafeBytes { png_image_write_to_memory(&image, o.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard written != 0 else { throw .writeFailed(path: nil, message: message(of: image)) }
        out.removeSubrange(Int(size)...)
        return out
    }

    /// Encodes `buffer` as an 8-bit RGB PNG and writes it to `path`, replacing any file there.
    public static func save(_ buffer: PixelBuffer, to path: String) throws(PNGError) {
        let data: [UInt8]
        do { data = try encode(buffer) } catch { throw .writeFailed(path: path, message: "\(error)") }
        if let failure = WholeFile.write(data, to: path) { throw .writeFailed(path: path, message: failure) }
    }

    private static func readFile(_ path: String) throws(PNGError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: errnoMessage())
        }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { data.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(file) != 0 { throw .unreadable(path: path, reason: errnoMessage()) }
                return data
            }
        }
    }

    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown libpng error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func errnoMessage() -> String { String(cString: strerror(errno)) }
}
