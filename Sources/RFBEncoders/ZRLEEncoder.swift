import Geometry
import NIOCore
import Pixels
import RFB
import ZlibStreams

/// The ZRLE encoder (encoding 16, RFC 6143 §7.7.6): the rectangle is cut into 64x64 tiles, each
/// tile is written with the smallest of five subencodings, and the tiles of one rectangle go out
/// as one zlib chunk (a U32 length, then the data) of the connection's persistent deflate stream.
///
/// Tiles that went out raw and that deflate could not shrink anyway (fresh noise, video: see
/// `CompressibilityProbe`) are stored, at zlib level 0, in the same chunk: a viewer inflates them
/// like any other data, and the server skips deflate's fruitless match search, which is most of the
/// cost of such tiles at the usual levels.
///
/// One value per viewer connection: the deflate dictionary carries over from rectangle to
/// rectangle, so the viewer's inflate stream must see every chunk in order. The stream and the
/// scratch buffers are reference types, so copies of a value share them; keep one value per
/// connection and do not use copies concurrently.
public struct ZRLEEncoder: FramebufferEncoder {
    /// The zlib level used until the viewer sends a CompressLevel pseudo-encoding: 6, zlib's own
    /// default (`Z_DEFAULT_COMPRESSION`) and its usual trade of speed for size. Viewers on fast
    /// links ask for 1 or 2, on slow links for 9.
    public static let defaultCompressLevel = 6

    public let encoding = Encoding.zrle

    private let deflater: DeflateStream
    private let tiles: ZRLETileEncoder
    private let probe = CompressibilityProbe()
    /// The level asked for; incompressible tiles use level 0 regardless.
    public private(set) var compressLevel: Int
    /// Uncompressed bytes of the last rectangle (band) that the probe sent to level 0 (none when
    /// the level asked for is 0 itself: then everything is stored without asking).
    private(set) var lastStoredBytes = 0
    private var compressed: [UInt8] = []

    /// The most uncompressed bytes one rectangle may carry before the encoder splits it into
    /// bands (whole rows of tiles): 16 MiB, two thirds of a 4K frame at 3 bytes per pixel. It
    /// bounds the scratch memory per connection and keeps every zlib chunk far below what
    /// viewers accept (`ZRLEDecoder.maximumChunkLength`, 64 MiB), even at level 0 and for 8K
    /// frames.
    public static let defaultMaximumBandBytes = 16 << 20

    private let maximumBandBytes: Int

    /// Creates an encoder with its own deflate stream at `compressLevel` (0...9, clamped), or
    /// at `defaultCompressLevel` when nil.
    public init(compressLevel: Int? = nil) {
        self.init(compressLevel: compressLevel, maximumBandBytes: Self.defaultMaximumBandBytes)
    }

    /// Tests use a small band limit to exercise the split.
    init(compressLevel: Int?, maximumBandBytes: Int) {
        self.compressLevel = Self.zlibLevel(for: compressLevel)
        deflater = DeflateStream(level: self.compressLevel)
        tiles = ZRLETileEncoder()
        self.maximumBandBytes = maximumBandBytes
    }

    /// CompressLevel 0...9 maps one to one onto zlib levels 0...9 (as TigerVNC does for ZRLE):
    /// 0 stores without compression, which is the fastest on a LAN. Out-of-range values are
    /// clamped; nil restores the default.
    public mutating func setCompressLevel(_ level: Int?) {
        compressLevel = Self.zlibLevel(for: level)
        deflater.setLevel(compressLevel)
    }

    static func zlibLevel(for level: Int?) -> Int {
        guard let level else { return defaultCompressLevel }
        return max(0, min(9, level))
    }

    /// The size of a CPIXEL in bytes for `format` (RFC 6143 §7.7.6): 3 for 32 bpp true-colour
    /// formats of depth <= 24 whose colour bits fit in three bytes, else the pixel size.
    public static func compactPixelSize(for format: PixelFormat) -> Int {
        ZRLECompactPixel(format: format).size
    }

    /// Writes `rect` as ZRLE rectangles: header, U32 length, sync-flushed zlib data each. Rects
    /// whose raw size exceeds the band limit (`defaultMaximumBandBytes`) are split into bands of whole tile rows
    /// (so the tiles are the same as unsplit); returns the number of rectangles written, 0 for
    /// an empty rect.
    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        guard !rect.isEmpty else { return 0 }
        precondition(frame.bounds.contains(rect), "ZRLE rect \(rect) outside the frame \(frame.bounds)")
        let rowBytes = rect.width * ZRLECompactPixel(format: translator.format).size
        let tile = ZRLETileEncoder.tileSize
        let bandRows = max(tile, maximumBandBytes / rowBytes / tile * tile)
        var count = 0
        var y = rect.minY
        while y < rect.maxY {
            let band = Rect(x: rect.minX, y: y, width: rect.width, height: min(bandRows, rect.maxY - y))
            encodeBand(band, of: frame, translator: translator, into: &output)
            count += 1
            y = band.maxY
        }
        return count
    }

    /// One rectangle: all its tiles in one zlib chunk (RFC 6143 §7.7.6).
    private mutating func encodeBand(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                     into output: inout ByteBuffer) {
        _ = uncompressedTileData(rect, of: frame, translator: translator)
        compressed.removeAll(keepingCapacity: true)
        compressTiles()
        output.reserveCapacity(minimumWritableBytes: 16 + compressed.count)
        output.writeRectangleHeader(rect, encoding: encoding)
        output.writeInteger(UInt32(compressed.count))
        output.writeBytes(compressed)
    }

    /// Compresses the tiles in `tiles.output` into `compressed`: runs of incompressible raw tiles
    /// at level 0, the rest at `compressLevel`, each run sync-flushed (RFC 1950/1951: the viewer's
    /// one inflate stream reads them as one), so the chunk is the same zlib data a single call
    /// would make apart from the levels.
    private mutating func compressTiles() {
        let data = tiles.output
        var runStart = 0, start = 0
        var runStored: Bool?
        lastStoredBytes = 0
        if compressLevel > 0 { probe.begin(data) }
        for end in tiles.tileEnds {
            // Subencoding 0 is raw (RFC 6143 §7.7.6); the others already exploit the tile's structure.
            let stored = compressLevel > 0 && data[start] == 0 && probe.isIncompressible(from: start + 1, to: end)
            if let run = runStored, run != stored {
                compressRun(from: runStart, to: start, stored: run)
                runStart = start
            }
            runStored = stored
            start = end
        }
        compressRun(from: runStart, to: start, stored: runStored ?? false)
    }

    private mutating func compressRun(from start: Int, to end: Int, stored: Bool) {
        if stored { lastStoredBytes += end - start }
        deflater.setLevel(stored ? 0 : compressLevel)
        deflater.compress(UnsafeRawBufferPointer(start: tiles.output + start, count: end - start), appendingTo: &compressed)
    }

    /// Encodes the tiles of `rect` into the scratch buffer and returns the byte count; the bytes
    /// stay in `tiles.output` until the next call.
    func uncompressedTileData(_ rect: Rect, of frame: PixelView, translator: PixelTranslator) -> Int {
        tiles.encode(rect, of: frame, translator: translator, compactPixel: ZRLECompactPixel(format: translator.format))
    }

    /// The uncompressed ZRLE data of `rect`, for tests that check the subencodings chosen.
    func uncompressedTileBytes(_ rect: Rect, of frame: PixelView, translator: PixelTranslator) -> [UInt8] {
        let count = uncompressedTileData(rect, of: frame, translator: translator)
        return Array(UnsafeBufferPointer(start: tiles.output, count: count))
    }
}

