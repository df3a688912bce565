import Geometry
import NIOCore
import Pixels

/// The layout of one Tight rectangle's payload (rfbproto "Tight Encoding"), worked out from the
/// bytes without consuming them or touching any zlib stream, so the decoder can wait for the
/// whole payload first.
struct TightPayload {
    enum Filter: UInt8 { case copy = 0, palette = 1, gradient = 2 }

    enum Method {
        /// FillCompression: one TPIXEL at `pixelOffset`.
        case fill(pixelOffset: Int)
        /// JpegCompression: `length` bytes of JFIF at `offset`.
        case jpeg(offset: Int, length: Int)
        /// BasicCompression on zlib stream `stream`: a palette of `paletteCount` TPIXELs at
        /// `paletteOffset` (palette filter only), then `dataLength` bytes at `dataOffset`, zlib
        /// data when `compressed`, which inflate (or are) `filteredSize` bytes.
        case basic(stream: Int, filter: Filter, paletteOffset: Int, paletteCount: Int,
                   dataOffset: Int, dataLength: Int, compressed: Bool, filteredSize: Int)
    }

    /// Bits 0-3 of the control byte: the zlib streams to reset before this rect.
    let resets: UInt8
    let method: Method
    /// Bytes of the payload, control byte included.
    let length: Int

    /// Parses the payload at the start of `bytes`. Throws `.needMoreData` when the bytes end
    /// before the layout (including the data it announces) is complete.
    static func parse(_ bytes: ByteBufferView, rect: Rect, format: PixelFormat,
                      tpixelSize: Int) throws(RectangleDecodingError) -> TightPayload {
        var cursor = Cursor(bytes: bytes)
        let control = try cursor.byte()
        let resets = control & 0x0f
        let kind = control >> 4
        switch kind {
        case 0x8:
            try cursor.skip(tpixelSize)
            return TightPayload(resets: resets, method: .fill(pixelOffset: 1), length: cursor.offset)
        case 0x9:
            guard format.bitsPerPixel == 16 || format.bitsPerPixel == 32 else {
                throw .malformed("Tight JpegCompression at \(format.bitsPerPixel) bits per pixel (only 16 or 32 allowed)")
            }
            let length = try cursor.compactLength()
            let offset = cursor.offset
            try cursor.skip(length)
            return TightPayload(resets: resets, method: .jpeg(offset: offset, length: length), length: cursor.offset)
        case 0x0...0x7:
            guard rect.width <= TightDecoder.maximumRectWidth else {
                throw .malformed("Tight rect \(rect.width) pixels wide exceeds the spec's limit of \(TightDecoder.maximumRectWidth)")
            }
            var filter = Filter.copy
            if kind & 0x4 != 0 {
                let id = try cursor.byte()
                guard let f = Filter(rawValue: id) else { throw .malformed("Tight filter id \(id) is not defined") }
                filter = f
            }
            var paletteCount = 0
            var paletteOffset = 0
            let filteredSize: Int
            switch filter {
            case .copy:
                filteredSize = rect.area * tpixelSize
            case .gradient:
                guard format.bitsPerPixel == 16 || format.bitsPerPixel == 32 else {
                    throw .malformed("Tight GradientFilter at \(format.bitsPerPixel) bits per pixel (only 16 or 32 allowed)")
                }
                filteredSize = rect.area * tpixelSize
            case .palette:
                paletteCount = Int(try cursor.byte()) + 1
                guard paletteCount >= 2 else {
                    throw .malformed("Tight palette of \(paletteCount) colour (the spec allows 2...256)")
                }
                paletteOffset = cursor.offset
                try cursor.skip(paletteCount * tpixelSize)
                filteredSize = paletteCount == 2 ? (rect.width + 7) / 8 * rect.height : rect.area
            }
            let compressed = filteredSize >= TightDecoder.minimumBytesToCompress
            let dataLength = compressed ? try cursor.compactLength() : filteredSize
            let dataOffset = cursor.offset
            try cursor.skip(dataLength)
            return TightPayload(resets: resets, method: .basic(stream: Int(kind & 0x3), filter: filter,
                                                               paletteOffset: paletteOffset, paletteCount: paletteCount,
                                                               dataOffset: dataOffset, dataLength: dataLength,
                                                               compressed: compressed, filteredSize: filteredSize),
                                length: cursor.offset)
        case 0xa:
            throw .malformed("Tight control byte 0x\(String(control, radix: 16)): PngCompression belongs to TightPNG, not Tight")
        default:
            throw .malformed("Tight control byte 0x\(String(control, radix: 16)) names no compression method")
        }
    }

    /// Reads forward through the readable bytes.
    private struct Cursor {
        let bytes: ByteBufferView
        var offset = 0

        mutating func byte() throws(RectangleDecodingError) -> UInt8 {
            guard offset < bytes.count else { throw .needMoreData }
            defer { offset += 1 }
            return bytes[bytes.startIndex + offset]
        }

        mutating func skip(_ count: Int) throws(RectangleDecodingError) {
            guard bytes.count - offset >= count else { throw .needMoreData }
            offset += count
        }

        /// rfbproto's compact length: 7 bits per byte, least significant first, while the top
        /// bit is set; the third byte carries 8 bits (so at most 4 MiB - 1).
        mutating func compactLength() throws(RectangleDecodingError) -> Int {
            let b0 = Int(try byte())
            if b0 & 0x80 == 0 { return b0 }
            let b1 = Int(try byte())
            if b1 & 0x80 == 0 { return b0 & 0x7f | b1 << 7 }
            let b2 = Int(try byte())
            return b0 & 0x7f | (b1 & 0x7f) << 7 | b2 << 14
        }
    }
}
