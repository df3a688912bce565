import Foundation
import Pixels

/// Binary PPM (P6) and PGM (P5) files: what netpbm's converters (xwdtopnm, pngtopnm) and djpeg
/// write, and what pnmtopng and pnmtoxwd read. Pictures are PixelBuffers in the canonical
/// `0x00RRGGBB` form; samples with a maxval other than 255 (xwdtopnm on a 16-bit screen writes
/// 31/63) are scaled to 8 bits by rounding.
enum PortablePixmap {
    static func encode(_ image: PixelBuffer) -> Data {
        var data = Data("P6\n\(image.width) \(image.height)\n255\n".utf8)
        data.reserveCapacity(data.count + image.pixels.count * 3)
        for pixel in image.pixels {
            data.append(UInt8(pixel >> 16 & 0xff)); data.append(UInt8(pixel >> 8 & 0xff)); data.append(UInt8(pixel & 0xff))
        }
        return data
    }

    static func write(_ image: PixelBuffer, to url: URL) throws {
        try encode(image).write(to: url)
    }

    static func read(_ url: URL) throws -> PixelBuffer {
        try decode(Data(contentsOf: url), name: url.lastPathComponent)
    }

    static func decode(_ data: Data, name: String = "PNM data") throws -> PixelBuffer {
        let bytes = [UInt8](data)
        var position = 0
        /// Reads one whitespace-separated header token, skipping `#` comments.
        func token() throws -> String {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
                } else if [9, 10, 13, 32].contains(bytes[position]) {
                    position += 1
                } else { break }
            }
            let start = position
            while position < bytes.count && ![9, 10, 13, 32].contains(bytes[position]) { position += 1 }
            guard position > start else { throw HarnessError("\(name): truncated PNM header") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        let magic = try token()
        guard magic == "P6" || magic == "P5" else { throw HarnessError("\(name): not a binary PPM/PGM (magic \(magic))") }
        guard let width = Int(try token()), let height = Int(try token()), let maxval = Int(try token()),
              width > 0, height > 0, (1...65535).contains(maxval)
        else { throw HarnessError("\(name): bad PNM header") }
        position += 1  // the single whitespace byte after maxval
        let channels = magic == "P6" ? 3 : 1
        let sampleBytes = maxval > 255 ? 2 : 1
        let needed = width * height * channels * sampleBytes
        guard bytes.count - position >= needed else {
            throw HarnessError("\(name): \(bytes.count - position) bytes of pixels, \(needed) expected")
        }
        var image = PixelBuffer(width: width, height: height)
        var p = position
        func sample() -> UInt32 {
            var value = UInt32(bytes[p]); p += 1
            if sampleBytes == 2 { value = value << 8 | UInt32(bytes[p]); p += 1 }
            return maxval == 255 ? value : (value * 255 + UInt32(maxval) / 2) / UInt32(maxval)
        }
        for i in 0..<(width * height) {
            if channels == 3 {
                let r = sample(), g = sample(), b = sample()
                image.pixels[i] = r << 16 | g << 8 | b
            } else {
                let v = sample()
                image.pixels[i] = v << 16 | v << 8 | v
            }
        }
        return image
    }
}
