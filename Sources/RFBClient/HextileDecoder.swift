import Geometry
import NIOCore
import Pixels
import RFB

/// Decodes Hextile rectangles (RFC 6143 §7.7.4): 16x16 tiles, row-major, each introduced by a
/// subencoding byte (Raw, BackgroundSpecified, ForegroundSpecified, AnySubrects,
/// SubrectsColoured).
///
/// Decoding walks the tiles twice: first only to check them and find where the rectangle ends
/// (so a partial rectangle throws `.needMoreData` and malformed data throws `.malformed` before
/// anything is drawn), then to draw.
///
/// Where the spec leaves room, this follows what TigerVNC and libvncclient accept: the background
/// and foreground carry over a Raw tile, a SubrectsColoured tile leaves the foreground at its last
/// subrectangle's colour, and ForegroundSpecified together with SubrectsColoured is read (the
/// foreground byte is consumed) rather than refused. A non-raw tile without any background so far,
/// or single-colour subrectangles without any foreground so far, are malformed.
public struct HextileDecoder: RectangleDecoder {
    private enum Subencoding {
        static let raw: UInt8 = 1
        static let backgroundSpecified: UInt8 = 2
        static let foregroundSpecified: UInt8 = 4
        static let anySubrects: UInt8 = 8
        static let subrectsColoured: UInt8 = 16
        static let all: UInt8 = 31
    }

    private static let tileSize = 16

    public init() {}

    public var encoding: Encoding { .hextile }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        let reader = try WirePixelReader(format: format)
        try requireInside(rect, of: framebuffer)
        guard !rect.isEmpty else { return }
        let checked: Result<Int, RectangleDecodingError> = input.withUnsafeReadableBytes { bytes in
            Self.walkTiles(of: rect, in: bytes, reader: reader, canvas: nil)
        }
        let length = try checked.get()
        input.withUnsafeReadableBytes { bytes in
            framebuffer.withCanvas { canvas in
                _ = Self.walkTiles(of: rect, in: bytes, reader: reader, canvas: canvas)
            }
        }
        input.moveReaderIndex(forwardBy: length)
    }

    /// Parses every tile of `rect` from `bytes`, drawing into `canvas` when there is one, and
    /// returns the number of bytes the rectangle occupies.
    private static func walkTiles(of rect: Rect, in bytes: UnsafeRawBufferPointer, reader: WirePixelReader,
                                  canvas: FramebufferCanvas?) -> Result<Int, RectangleDecodingError> {
        let bytesPerPixel = reader.bytesPerPixel
        var offset = 0
        var background: UInt32? = nil
        var foreground: UInt32? = nil
        func has(_ count: Int) -> Bool { bytes.count - offset >= count }
        func readPixel() -> UInt32 {
            defer { offset += bytesPerPixel }
            return reader.canonical(at: bytes.baseAddress! + offset)
        }

        for tile in rect.tiles(width: tileSize, height: tileSize) {
            guard has(1) else { return .failure(.needMoreData) }
            let flags = bytes[offset]
            offset += 1
            guard flags & ~Subencoding.all == 0 else {
                return .failure(.malformed("hextile tile \(tile) has unknown subencoding bits in 0x\(String(flags, radix: 16))"))
            }

            if flags & Subencoding.raw != 0 {
                let length = tile.width * tile.height * bytesPerPixel
                guard has(length) else { return .failure(.needMoreData) }
                canvas?.drawPixels(tile, from: bytes.baseAddress! + offset, reader: reader)
                offset += length
                continue
            }

            if flags & Subencoding.backgroundSpecified != 0 {
                guard has(bytesPerPixel) else { return .failure(.needMoreData) }
                background = readPixel()
            }
            if flags & Subencoding.foregroundSpecified != 0 {
                guard has(bytesPerPixel) else { return .failure(.needMoreData) }
                foreground = readPixel()
            }
            guard let tileBackground = background else {
                return .failure(.malformed("hextile tile \(tile) is the first non-raw tile but specifies no background"))
            }
            canvas?.fill(tile, with: tileBackground)
            guard flags & Subencoding.anySubrects != 0 else { continue }

            guard has(1) else { return .failure(.needMoreData) }
            let count = Int(bytes[offset])
            offset += 1
            let coloured = flags & Subencoding.subrectsColoured != 0
            guard has(count * (coloured ? bytesPerPixel + 2 : 2)) else { return .failure(.needMoreData) }
            if !coloured && foreground == nil && count > 0 {
                return .failure(.malformed("hextile tile \(tile) has single-colour subrectangles but no foreground was ever specified"))
            }
            for _ in 0..<count {
                if coloured { foreground = readPixel() }
                let position = bytes[offset], size = bytes[offset + 1]
                offset += 2
                let subrectangle = Rect(x: Int(position >> 4), y: Int(position & 15),
                                        width: Int(size >> 4) + 1, height: Int(size & 15) + 1)
                guard subrectangle.maxX <= tile.width && subrectangle.maxY <= tile.height else {
                    return .failure(.malformed("hextile subrectangle \(subrectangle) lies outside its \(tile.width)x\(tile.height) tile at \(tile.origin)"))
                }
                canvas?.fill(subrectangle.offsetBy(dx: tile.x, dy: tile.y), with: foreground!)
            }
        }
        return .success(offset)
    }
}
