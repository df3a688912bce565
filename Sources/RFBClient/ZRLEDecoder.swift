import Geometry
import NIOCore
import Pixels
import RFB
import ZlibStreams

/// The viewer side of ZRLE (encoding 16, RFC 6143 §7.7.6): a U32 length, that many bytes of the
/// connection's single zlib stream, which inflate to the rectangle's 64x64 tiles in row-major
/// order.
///
/// Hostile input is bounded before it costs memory: a declared length above
/// `maximumChunkLength` is refused before waiting for it, and the chunk may not inflate past
/// `maximumInflatedSize(of:compactPixelSize:)`, the most a legitimate encoder can produce for the
/// rect. The inflate stream is touched only once the whole chunk has arrived, so a
/// `.needMoreData` leaves both the input and the stream as they were. After `.malformed` the
/// stream is out of step with the server and the connection must be closed.
public struct ZRLEDecoder: RectangleDecoder {
    /// The largest zlib chunk accepted: 64 MiB, above what a 4K frame needs even at level 0.
    public static let maximumChunkLength = 64 << 20

    public let encoding = Encoding.zrle
    private let inflater: InflateStream

    public init() {
        inflater = InflateStream()
    }

    /// The most bytes a rect of `rect.width` x `rect.height` pixels can legitimately inflate to.
    ///
    /// Per tile of p pixels: one subencoding byte, then at most either a 127-colour palette
    /// followed by palette-RLE runs of at most 2 bytes per pixel (an index with its top bit set
    /// and a length byte, the worst way to write one-pixel runs), or plain-RLE runs of at most
    /// CPIXEL + 1 bytes per pixel. Raw (p x CPIXEL) and packed palette (16 colours, at most 4 bits
    /// per pixel plus row padding) are below both. Since 2 <= CPIXEL + 1, every tile fits in
    /// 1 + 127 x CPIXEL + p x (CPIXEL + 1), and the sum over the tiles is
    /// tiles x (1 + 127 x CPIXEL) + width x height x (CPIXEL + 1).
    public static func maximumInflatedSize(of rect: Rect, compactPixelSize cp: Int) -> Int {
        guard !rect.isEmpty else { return 0 }
        let tiles = ((rect.width + 63) / 64) * ((rect.height + 63) / 64)
        return tiles * (1 + 127 * cp) + rect.width * rect.height * (cp + 1)
    }

    /// The size of a CPIXEL in bytes for `format` (RFC 6143 §7.7.6), by the same rule as the
    /// encoder's `ZRLEEncoder.compactPixelSize(for:)`.
    public static func compactPixelSize(for format: PixelFormat) -> Int {
        ZRLECompactPixel(format: format).size
    }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        guard let declared = input.getInteger(at: input.readerIndex, as: UInt32.self) else {
            throw .needMoreData
        }
        let length = Int(declared)
        guard length <= Self.maximumChunkLength else {
            throw .malformed("ZRLE zlib length \(length) exceeds the limit of \(Self.maximumChunkLength) bytes")
        }
        guard input.readableBytes >= 4 + length else { throw .needMoreData }
        do {
            try format.validate()
        } catch {
            throw .malformed("ZRLE with an unusable pixel format: \(error)")
        }
        guard rect.isEmpty || framebuffer.bounds.contains(rect) else {
            throw .malformed("ZRLE rect \(rect) lies outside the framebuffer \(framebuffer.size)")
        }

        let cp = ZRLECompactPixel(format: format)
        let limit = Self.maximumInflatedSize(of: rect, compactPixelSize: cp.size)
        let inflater = self.inflater
        let result: Result<[UInt8], InflateStream.InflateError> = input.withUnsafeReadableBytes { all in
            let chunk = UnsafeRawBufferPointer(rebasing: all[4..<(4 + length)])
            do throws(InflateStream.InflateError) {
                return .success(try inflater.decompress(chunk, limit: limit))
            } catch {
                return .failure(error)
            }
        }
        input.moveReaderIndex(forwardBy: 4 + length)
        let data: [UInt8]
        switch result {
        case .success(let bytes): data = bytes
        case .failure(.outputLimitExceeded):
            throw .malformed("ZRLE data for \(rect) inflates past the \(limit) bytes such a rect can need")
        case .failure(let error):
            throw .malformed("ZRLE zlib data: \(error)")
        }
        try Self.drawTiles(data, rect: rect, format: format, compactPixel: cp, into: &framebuffer)
    }

    /// Parses the inflated tile data of `rect` and draws it; every byte must belong to a tile.
    static func drawTiles(_ data: [UInt8], rect: Rect, format: PixelFormat, compactPixel cp: ZRLECompactPixel,
                          into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        precondition(rect.isEmpty || framebuffer.bounds.contains(rect), "the caller checks that the rect fits the framebuffer")
        var reader = TileReader(data: data, compactPixel: cp, format: format)
        var tilePixels = [UInt32](repeating: 0, count: 64 * 64)
        let stride = framebuffer.width
        var ty = rect.minY
        while ty < rect.maxY {
            let th = min(64, rect.maxY - ty)
            var tx = rect.minX
            while tx < rect.maxX {
                let tw = min(64, rect.maxX - tx)
                try reader.readTile(width: tw, height: th, into: &tilePixels)
                // One mutable access per tile, rows copied whole: `pixels` is an accessor (a
                // picture may borrow its pixels), and going through it pixel by pixel made a
                // viewer of four 4K outputs spend most of its time in retain and release.
                framebuffer.pixels.withUnsafeMutableBufferPointer { pixels in
                    tilePixels.withUnsafeBufferPointer { tile in
                        for y in 0..<th {
                            (pixels.baseAddress! + (ty + y) * stride + tx).update(from: tile.baseAddress! + y * tw, count: tw)
                        }
                    }
                }
                tx += tw
            }
            ty += th
        }
        guard reader.offset == data.count else {
            throw .malformed("ZRLE data for \(rect) has \(data.count - reader.offset) bytes after the last tile")
        }
    }
}

extension ZRLEDecoder {
    /// A cursor over inflated ZRLE data that reads one tile at a time into canonical pixels,
    /// checking every count against the tile and the data (RFC 6143 §7.7.6).
    struct TileReader {
        let data: [UInt8]
        let compactPixel: ZRLECompactPixel
        let format: PixelFormat
        private(set) var offset = 0
        private var palette = [UInt32](repeating: 0, count: 127)

        init(data: [UInt8], compactPixel: ZRLECompactPixel, format: PixelFormat) {
            self.data = data
            self.compactPixel = compactPixel
            self.format = format
        }

        private mutating func need(_ count: Int, _ what: String) throws(RectangleDecodingError) {
            guard data.count - offset >= count else {
                throw .malformed("ZRLE data ends inside \(what)")
            }
        }

        private mutating func byte(_ what: String) throws(RectangleDecodingError) -> UInt8 {
            try need(1, what)
            defer { offset += 1 }
            return data[offset]
        }

        private mutating func pixel(_ what: String) throws(RectangleDecodingError) -> UInt32 {
            try need(compactPixel.size, what)
            defer { offset += compactPixel.size }
            return PixelTranslator.canonical(fromPixelValue: compactPixel.load(data, at: offset), format: format)
        }

        /// A run length: bytes of 255 and a final byte below 255, plus one; at most `remaining`.
        private mutating func runLength(remaining: Int) throws(RectangleDecodingError) -> Int {
            var length = 1
            while true {
                let b = try byte("a run length")
                length += Int(b)
                guard length <= remaining else {
                    throw .malformed("ZRLE run of at least \(length) pixels overflows the tile (\(remaining) left)")
                }
                if b != 255 { return length }
            }
        }

        private mutating func readPalette(_ count: Int) throws(RectangleDecodingError) {
            for i in 0..<count { palette[i] = try pixel("a palette") }
        }

        /// Reads one tile of `width` x `height` into `pixels` (row-major, canonical colours).
        mutating func readTile(width: Int, height: Int, into pixels: inout [UInt32]) throws(RectangleDecodingError) {
            let n = width * height
            let sub = try byte("a tile's subencoding")
            switch sub {
            case 0:
                try need(n * compactPixel.size, "a raw tile")
                for i in 0..<n { pixels[i] = try pixel("a raw tile") }
            case 1:
                let colour = try pixel("a solid tile")
                for i in 0..<n { pixels[i] = colour }
            case 2...16:
                let count = Int(sub)
                try readPalette(count)
                let bits = count == 2 ? 1 : count <= 4 ? 2 : 4
                let rowBytes = (width * bits + 7) / 8
                try need(rowBytes * height, "a packed-palette tile")
                let mask = (1 << bits) - 1
                for y in 0..<height {
                    let row = offset + y * rowBytes
                    for x in 0..<width {
                        let bit = x * bits
                        let index = Int(data[row + bit / 8]) >> (8 - bits - bit % 8) & mask
                        guard index < count else {
                            throw .malformed("ZRLE packed palette index \(index) outside a palette of \(count)")
                        }
                        pixels[y * width + x] = palette[index]
                    }
                }
                offset += rowBytes * height
            case 128:
                var i = 0
                while i < n {
                    let colour = try pixel("a plain-RLE run")
                    let length = try runLength(remaining: n - i)
                    for k in i..<(i + length) { pixels[k] = colour }
                    i += length
                }
            case 130...255:
                let count = Int(sub) - 128
                try readPalette(count)
                var i = 0
                while i < n {
                    let b = try byte("a palette-RLE run")
                    let index = Int(b & 0x7f)
                    guard index < count else {
                        throw .malformed("ZRLE palette-RLE index \(index) outside a palette of \(count)")
                    }
                    let length = b & 0x80 != 0 ? try runLength(remaining: n - i) : 1
                    let colour = palette[index]
                    for k in i..<(i + length) { pixels[k] = colour }
                    i += length
                }
            default:
                throw .malformed("ZRLE tile subencoding \(sub) is not defined")
            }
        }
    }
}
