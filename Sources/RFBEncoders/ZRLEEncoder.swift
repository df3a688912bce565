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
///
/// The stream is raw deflate behind a zlib header (`DeflateStream.Framing.zlibHeaderThenRaw`), so
/// that an update can be split into lanes compressed on several cores (`encodeLanes`, `ZRLELane`)
/// and the stream continued after them; `history` keeps the 16 KiB those need.
public struct ZRLEEncoder: LaneParallelEncoder {
    /// The zlib level used until the viewer sends a CompressLevel pseudo-encoding: 6, zlib's own
    /// default (`Z_DEFAULT_COMPRESSION`) and its usual trade of speed for size. Viewers on fast
    /// links ask for 1 or 2, on slow links for 9.
    public static let defaultCompressLevel = 6

    public let encoding = Encoding.zrle
    /// ZRLE's tiles (RFC 6143 §7.7.6): lanes cut rectangles between tile rows.
    public var laneRowGrid: Int { ZRLETileEncoder.tileSize }
    /// Any number: the one stream is split, not shared.
    public var maximumLanes: Int { .max }

    private let deflater: DeflateStream
    private let tiles: ZRLETileEncoder
    private let probe = CompressibilityProbe()
    /// The level asked for; incompressible tiles use level 0 regardless.
    public private(set) var compressLevel: Int
    /// Uncompressed bytes of the last rectangle (band) encoded serially that the probe sent to
    /// level 0 (none when the level asked for is 0 itself: then everything is stored without asking).
    private(set) var lastStoredBytes = 0
    private var compressed: [UInt8] = []
    /// The stream's last 16 KiB of input, which a split stream's lanes and its continuation need.
    private let history = ZRLEStreamHistory()
    /// Scratch per lane for updates encoded on several cores, created on first use.
    private(set) var laneWorkers: [ZRLELane] = []
    /// Whether the lanes splice small runs too, from their trials.
    private(set) var spliceAdvisor = SpliceAdvisor()
    /// Whether serial rectangles splice their runs of `ZRLESplice.minimumSerialBytes` or more,
    /// from their own trials: a serial stream's runs differ from the lanes' (a scrolled strip of
    /// text, not a screenful), and so may the choice.
    private(set) var serialSpliceAdvisor = SpliceAdvisor()
    private let serialTrials = SpliceTrials()
    /// libdeflate for serial rectangles' runs, created with the first band that could splice.
    private var serialSplicer: SplicedChunkDeflater?
    /// Runs of serial rectangles spliced so far, for tests.
    private(set) var serialSplicedRuns = 0

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
        deflater = DeflateStream(level: self.compressLevel, framing: .zlibHeaderThenRaw)
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

    /// Writes `rect` as ZRLE rectangles: header, U32 length, flushed zlib data each. Rects
    /// whose raw size exceeds the band limit (`defaultMaximumBandBytes`) are split into bands of whole tile rows
    /// (so the tiles are the same as unsplit); returns the number of rectangles written, 0 for
    /// an empty rect.
    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        guard !rect.isEmpty else { return 0 }
        precondition(frame.bounds.contains(rect), "ZRLE rect \(rect) outside the frame \(frame.bounds)")
        let bands = Self.bands(of: rect, rows: bandRows(rect, format: translator.format))
        for band in bands {
            encodeBand(band, of: frame, translator: translator, into: &output)
        }
        return bands.count
    }

    /// The most rows a band of `rect` may have: whole tile rows within `maximumBandBytes`.
    func bandRows(_ rect: Rect, format: PixelFormat) -> Int {
        let rowBytes = rect.width * ZRLECompactPixel(format: format).size
        let tile = ZRLETileEncoder.tileSize
        return max(tile, maximumBandBytes / rowBytes / tile * tile)
    }

    /// `rect` cut into bands of `rows` rows from its top (the last one shorter).
    static func bands(of rect: Rect, rows: Int) -> [Rect] {
        stride(from: rect.minY, to: rect.maxY, by: rows).map {
            Rect(x: rect.minX, y: $0, width: rect.width, height: min(rows, rect.maxY - $0))
        }
    }

    /// One rectangle: all its tiles in one zlib chunk (RFC 6143 §7.7.6).
    private mutating func encodeBand(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                     into output: inout ByteBuffer) {
        let count = uncompressedTileData(rect, of: frame, translator: translator)
        compressed.removeAll(keepingCapacity: true)
        // Only this stream continues the viewer's, so a partial flush's last bits may wait for the
        // next rectangle (`DeflateStream.Flush`); `encodeLanes` ends on a sync flush instead.
        let result = Self.compressTiles(tiles.output, tileEnds: tiles.tileEnds, level: compressLevel, stream: deflater,
                                        flush: .partial, probe: probe, splice: serialSplice(bandBytes: count), into: &compressed)
        lastStoredBytes = result.stored
        serialSplicedRuns += result.spliced
        serialTrials.drainOutcomes(into: &serialSpliceAdvisor)
        history.append(UnsafeRawBufferPointer(start: tiles.output, count: count))
        output.reserveCapacity(minimumWritableBytes: 16 + compressed.count)
        output.writeRectangleHeader(rect, encoding: encoding)
        output.writeInteger(UInt32(compressed.count))
        output.writeBytes(compressed)
    }

    /// What a serial band of `count` bytes of tile data (in `tiles.output`) needs to splice its
    /// larger runs (`ZRLESplice`, "Serial rectangles"), or nil when it has none that could be.
    private mutating func serialSplice(bandBytes count: Int) -> ZRLESplice? {
        guard compressLevel > 0, count >= ZRLESplice.minimumSerialBytes else { return nil }
        if serialSplicer == nil { serialSplicer = SplicedChunkDeflater() }
        serialTrials.spacingBytes = serialSpliceAdvisor.trialSpacingBytes
        return ZRLESplice(deflater: serialSplicer!, dictionary: history.tail, laneData: tiles.output, bandStart: 0,
                          smallRuns: serialSpliceAdvisor.splicesSmallRuns, trials: serialTrials,
                          smallestRun: ZRLESplice.minimumSerialBytes, restart: .sizedToNextInput)
    }

    /// Compresses one band's tile data (`data`, its tiles ending at `tileEnds`) with `stream` into
    /// `compressed`: runs of incompressible raw tiles at level 0, the rest at `level`, each run
    /// flushed with `flush` (RFC 1950/1951: the viewer's one inflate stream reads them as one), so
    /// the chunk is the same zlib data a single call would make apart from the levels. Returns the
    /// bytes stored at level 0 (none when `level` is 0 itself: then everything is stored without
    /// asking) and the number of runs spliced.
    ///
    /// With `splice`, a compressible run may go through libdeflate instead
    /// (`DeflateStream.compressSpliced`, which first ends a partial flush's bits with an empty
    /// sync-flushed chunk), or be a trial (`ZRLESplice.route`).
    static func compressTiles(_ data: UnsafePointer<UInt8>, tileEnds: [Int], level: Int, stream: DeflateStream,
                              flush: DeflateStream.Flush, probe: CompressibilityProbe, splice: ZRLESplice? = nil,
                              into compressed: inout [UInt8]) -> (stored: Int, spliced: Int) {
        var runStart = 0, start = 0, storedBytes = 0, splicedRuns = 0
        var runStored: Bool?
        func compressRun(to end: Int, stored: Bool) {
            if stored { storedBytes += end - runStart }
            stream.setLevel(stored ? 0 : level)
            let run = UnsafeRawBufferPointer(start: data + runStart, count: end - runStart)
            if !stored, level > 0, let splice {
                switch splice.route(run.count) {
                case .splice:
                    if splice.withHistory(through: end, {
                        stream.compressSpliced(run, with: splice.deflater, earlierHistory: $0, history: $1,
                                              restartDictionary: splice.restart, appendingTo: &compressed)
                    }) {
                        splicedRuns += 1
                        return
                    }
                case .trial:
                    // zlib's output goes out; libdeflate's is only measured.
                    let before = compressed.count
                    stream.compress(run, appendingTo: &compressed, flush: flush)
                    if let size = splice.deflater.compressedSize(of: run, level: level) {
                        splice.trials.record(zlibBytes: compressed.count - before, splicedBytes: size)
                    }
                    return
                case .zlib:
                    break
                }
            }
            stream.compress(run, appendingTo: &compressed, flush: flush)
        }
        if level > 0 { probe.begin(data) }
        for end in tileEnds {
            // Subencoding 0 is raw (RFC 6143 §7.7.6); the others already exploit the tile's structure.
            let stored = level > 0 && data[start] == 0 && probe.isIncompressible(from: start + 1, to: end)
            if let run = runStored, run != stored {
                compressRun(to: start, stored: run)
                runStart = start
            }
            runStored = stored
            start = end
        }
        compressRun(to: start, stored: runStored ?? false)
        return (storedBytes, splicedRuns)
    }

    /// Encodes `lanes` concurrently in `ZRLELane`'s two phases and continues the connection's
    /// stream after them: its history becomes the last lane's, as if it had deflated all lanes.
    public mutating func encodeLanes(_ lanes: [[LaneJob]], of frame: PixelView, translator: PixelTranslator,
                                     into output: inout ByteBuffer) -> Int {
        while laneWorkers.count < lanes.count { laneWorkers.append(ZRLELane()) }
        let workers = Array(laneWorkers.prefix(lanes.count))
        let format = translator.format
        let encoder = self
        _ = LaneRunner.run(lanes.count) { i in
            workers[i].encodeTiles(lanes[i].map(\.rect), of: frame, translator: translator) { encoder.bandRows($0, format: format) }
        }
        // Each lane's dictionary: the 16 KiB of stream input before it (known now, after phase 1).
        // Lane 0's stream is the connection's, which has its history already; a spliced chunk
        // needs it all the same (`ZRLESplice`).
        var before = Array(history.tail)
        var dictionaries: [[UInt8]] = [before]
        for i in 1..<max(1, lanes.count) {
            // Sliced by index: `suffix` on a raw buffer is Sequence's, which walks every byte.
            let data = workers[i - 1].data
            before.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[(data.count - min(data.count, ZRLEStreamHistory.window))...]))
            before.removeFirst(max(0, before.count - ZRLEStreamHistory.window))
            dictionaries.append(before)
        }
        let level = compressLevel, deflater = deflater
        let smallRuns = spliceAdvisor.splicesSmallRuns, trialSpacing = spliceAdvisor.trialSpacingBytes
        let outputs = LaneRunner.run(lanes.count) { i in
            workers[i].compress(level: level, connectionStream: i == 0 ? deflater : nil, history: dictionaries[i],
                                splicingSmallRuns: smallRuns, trialSpacingBytes: trialSpacing)
        }
        for worker in workers {
            history.append(worker.data)
            worker.trials.drainOutcomes(into: &spliceAdvisor)
        }
        if lanes.count > 1 {
            // The next update may be small (`DeflateStream.RestartDictionary`).
            history.tail.withUnsafeBytes { deflater.restart(history: $0, dictionary: .sizedToNextInput) }
        }
        return LaneRunner.append(outputs, to: &output)
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

