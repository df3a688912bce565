import Geometry
import NIOCore
import Pixels
import RFB
import ZlibStreams

/// One lane of a ZRLE update encoded on several cores (docs/architecture.md, "Encoding on all
/// cores"), in two phases that each run for all lanes at once:
///
/// 1. `encodeTiles`: the lane's rectangles become uncompressed ZRLE tile data (palettes, runs;
///    RFC 6143 §7.7.6), one rectangle after another in the lane's tile buffer.
/// 2. `compress`: the lane deflates that data as its part of the connection's one zlib stream, the
///    way pigz splits a stream: raw deflate primed (`DeflateStream.restart(history:)`) with the
///    uncompressed data that precede the lane in stream order (the last 16 KiB of them:
///    `DeflateStream.RestartDictionary`), every chunk sync-flushed
///    and none final, so the lanes' outputs, concatenated in order, are one valid deflate stream.
///    That history is the end of the lanes before, which phase 1 has made by then. Large runs of
///    tiles go through libdeflate instead of zlib (`ZRLESplice`).
///
/// Each rectangle's bytes belong to one lane, since every ZRLE rectangle carries its own length.
/// Lane 0 uses the connection's own stream, the others a stream of their own.
final class ZRLELane {
    let tiles = ZRLETileEncoder()
    let probe = CompressibilityProbe()
    /// The lane's own raw deflate stream (unused by lane 0), created on first use.
    private var ownStream: DeflateStream?
    /// Bytes of uncompressed tile data of all the lane's rectangles, one after another in
    /// `tiles.output`.
    private var dataCount = 0
    /// Each rectangle (band) of the lane, where its data ends in `data`, and where its tiles end
    /// (counted from the band's start).
    private var bands: [(rect: Rect, end: Int, tileEnds: [Int])] = []
    private var compressed: [UInt8] = []
    /// libdeflate for the lane's large runs (`ZRLESplice`), created on first use.
    private var splicer: SplicedChunkDeflater?
    /// Runs this lane has spliced so far, for tests.
    private(set) var splicedRuns = 0
    /// The lane's trials of small runs, collected by the encoder after each update.
    let trials = SpliceTrials()

    /// Phase 1: the tile data of `rects`, cut into bands of at most `bandRows` rows as
    /// `ZRLEEncoder.encode` cuts them.
    func encodeTiles(_ rects: [Rect], of frame: PixelView, translator: PixelTranslator, bandRows: (Rect) -> Int) {
        dataCount = 0
        bands.removeAll(keepingCapacity: true)
        let compactPixel = ZRLECompactPixel(format: translator.format)
        for rect in rects {
            for band in ZRLEEncoder.bands(of: rect, rows: bandRows(rect)) {
                let count = tiles.encode(band, of: frame, translator: translator, compactPixel: compactPixel, after: dataCount)
                dataCount += count
                bands.append((band, dataCount, tiles.tileEnds))
            }
        }
    }

    /// The lane's uncompressed tile data (after phase 1), valid until the next `encodeTiles`.
    var data: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: tiles.output, count: dataCount) }

    /// Phase 2: deflates the lane's rectangles with `stream` (the connection's, for lane 0) or with
    /// its own stream primed with `history`, and returns the ZRLE rectangles (header, U32 length,
    /// zlib data) and their count. Large runs go through libdeflate, small ones too with
    /// `splicingSmallRuns`, and a small run every `trialSpacingBytes` is a trial (`SpliceAdvisor`).
    func compress(level: Int, connectionStream: DeflateStream?, history: [UInt8],
                  splicingSmallRuns: Bool = false, trialSpacingBytes: Int = 0) -> (ByteBuffer, Int) {
        let stream: DeflateStream
        if let connectionStream {
            stream = connectionStream
        } else {
            if ownStream == nil { ownStream = DeflateStream(level: level, framing: .raw) }
            stream = ownStream!
            history.withUnsafeBytes { stream.restart(history: $0) }
        }
        var output = ByteBuffer()
        var start = 0
        if splicer == nil && level > 0 && !bands.isEmpty {
            splicer = SplicedChunkDeflater()
        }
        trials.spacingBytes = trialSpacingBytes
        for band in bands {
            compressed.removeAll(keepingCapacity: true)
            let splice = splicer.map {
                ZRLESplice(deflater: $0, dictionary: history[...], laneData: tiles.output, bandStart: start,
                           smallRuns: splicingSmallRuns, trials: trials)
            }
            // Sync: lanes' outputs follow one another, and the connection's stream restarts after them.
            splicedRuns += ZRLEEncoder.compressTiles(tiles.output + start, tileEnds: band.tileEnds, level: level,
                                                     stream: stream, flush: .sync, probe: probe, splice: splice, into: &compressed).spliced
            output.reserveCapacity(minimumWritableBytes: 16 + compressed.count)
            output.writeRectangleHeader(band.rect, encoding: .zrle)
            output.writeInteger(UInt32(compressed.count))
            output.writeBytes(compressed)
            start = band.end
        }
        return (output, bands.count)
    }
}
