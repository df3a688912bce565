import Geometry
import NIOCore
import Pixels
import RFB
import ZlibStreams

/// The Tight encoder (encoding 7, rfbproto "Tight Encoding", as TightVNC, libvncserver and
/// TigerVNC implement it).
///
/// Each rectangle is cut so that no piece is wider than 2048 pixels (the spec's limit) and no
/// piece compresses more than 65536 pixels (TigerVNC's and libvncserver's limit, which bounds
/// the viewer's buffers); large single-colour areas are found first and sent as FillCompression.
/// Every piece then gets the subencoding its content asks for:
///
/// - one colour: **FillCompression**, one TPIXEL;
/// - few colours: **PaletteFilter** (lossless; two colours as 1-bit rows);
/// - many colours: **JpegCompression** when the viewer sent a QualityLevel and uses 16 or 32 bpp
///   (the spec's conditions), lossy rectangles are allowed here (`setLossyAllowed`) and the piece
///   has at least `minimumJPEGArea` pixels, else the **GradientFilter** when the content is smooth
///   (16/32 bpp only, per the spec) and the viewer sent no QualityLevel (TightVNC's rule; noVNC,
///   which always sends one, does not implement the gradient filter), else the **CopyFilter**. Without a QualityLevel nothing is lossy, so
///   text is never blurred. The server turns lossy off only for the lossless refresh of what went
///   JPEG (`FramebufferUpdateEncoder`'s lossy area), and learns what went JPEG from
///   `takeLossyAreas`.
///
/// Basic compression uses four persistent zlib streams per connection (0 full colour, 1 mono,
/// 2 indexed, 3 gradient), each at the zlib level TigerVNC's table gives for the CompressLevel;
/// they are never reset, so the reset bits of the control byte are always zero. Filtered data
/// under 12 bytes is sent as it is, as the spec requires.
///
/// Large updates may be encoded in up to four lanes at once (`encodeLanes`, docs/architecture.md
/// "Encoding on all cores"): lane i then sends all its zlib data on stream i, whatever its kind,
/// at the zlib level of its kind, and names that stream in the control byte. A viewer inflates
/// whichever stream a rectangle names, in the order the rectangles arrive, so each stream stays
/// one ordered sequence of chunks; fills and JPEG use no stream.
///
/// One value per viewer connection; the streams and scratch buffers are reference types shared
/// by copies, so do not use copies concurrently (lanes use copies with scratch of their own).
public struct TightEncoder: LaneParallelEncoder {
    /// CompressLevel used until the viewer sends one: 2, TigerVNC's default for Tight (palettes
    /// and fills do most of the work; zlib stays cheap).
    public static let defaultCompressLevel = 2
    /// rfbproto: "the width of any Tight-encoded rectangle cannot exceed 2048 pixels".
    public static let maximumRectWidth = 2048
    /// The most pixels one compressed piece carries (TigerVNC's and libvncserver's limit).
    public static let maximumRectArea = 65536
    /// Filtered data shorter than this is sent uncompressed (rfbproto).
    static let minimumBytesToCompress = 12

    /// Zlib levels per CompressLevel for the indexed, mono and full-colour streams (TigerVNC).
    static let zlibLevels: [(indexed: Int, mono: Int, fullColour: Int)] = [
        (0, 0, 0), (1, 1, 1), (3, 3, 2), (5, 5, 3), (6, 6, 4),
        (7, 7, 5), (7, 7, 6), (8, 8, 7), (9, 9, 8), (9, 9, 9),
    ]
    /// Palette limit per CompressLevel: at most area / divisor colours (TightVNC's table), so
    /// small rects only take a palette when it clearly pays.
    static let paletteDivisors = [4, 8, 24, 32, 32, 32, 48, 64, 64, 96]
    /// With JPEG on, content with more colours than this goes to JPEG (TurboVNC uses 24 to 256
    /// depending on the level; 96 keeps anti-aliased text lossless).
    static let paletteLimitWithJPEG = 96
    /// Pieces smaller than this stay lossless: a JFIF stream carries some 600 bytes of tables,
    /// more than zlib needs for a few hundred pixels.
    static let minimumJPEGArea = 1024

    /// The zlib streams, by the number the control byte names (rfbproto: bits 4-5).
    enum Stream: Int { case fullColour = 0, mono = 1, indexed = 2, gradient = 3 }
    /// Filter ids (rfbproto).
    enum Filter: UInt8 { case copy = 0, palette = 1, gradient = 2 }
    /// Control byte values for the non-basic methods (rfbproto: bits 7-4).
    static let fillControl: UInt8 = 0x80
    static let jpegControl: UInt8 = 0x90

    public let encoding = Encoding.tight
    /// Lanes cut rectangles anywhere; 16 rows keeps pieces tidy.
    public var laneRowGrid: Int { 16 }
    /// One zlib stream per lane: Tight has four (rfbproto, control byte bits 4-5).
    public var maximumLanes: Int { 4 }
    public private(set) var compressLevel: Int
    /// The QualityLevel 0...9 the viewer asked for; nil means lossless only.
    public private(set) var qualityLevel: Int?
    /// Whether JPEG may be used at all for the next rectangles (with a QualityLevel).
    public private(set) var lossyAllowed = true
    /// JPEG rectangles written so far: lets the server log when a viewer first gets lossy pixels.
    public private(set) var jpegRectangles = 0
    /// The JPEG rectangles written since `takeLossyAreas` last took them.
    private var jpegAreas: [Rect] = []

    private let streams: [DeflateStream]
    private var scratch: TightScratch
    /// The stream every zlib chunk goes to when this value encodes lane `laneStream` of an update.
    private var laneStream: Int?
    /// Scratch for lanes 1...3, created on first use and kept for the connection.
    private let laneScratch = TightLaneScratch()

    /// Creates an encoder with its own four zlib streams. `compressLevel` and `qualityLevel` are
    /// clamped to 0...9; nil means the default compression and no JPEG.
    public init(compressLevel: Int? = nil, qualityLevel: Int? = nil) {
        let level = Self.clamp(compressLevel) ?? Self.defaultCompressLevel
        self.compressLevel = level
        self.qualityLevel = Self.clamp(qualityLevel)
        let z = Self.zlibLevels[level]
        streams = [z.fullColour, z.mono, z.indexed, z.fullColour].map { DeflateStream(level: $0) }
        scratch = TightScratch()
    }

    private static func clamp(_ level: Int?) -> Int? { level.map { max(0, min(9, $0)) } }

    public mutating func setCompressLevel(_ level: Int?) {
        // Each chunk sets its stream's level (`writeData`), since lanes mix kinds on one stream.
        compressLevel = Self.clamp(level) ?? Self.defaultCompressLevel
    }

    /// Sets the JPEG QualityLevel (rfbproto QualityLevel pseudo-encoding); nil turns JPEG off.
    public mutating func setQualityLevel(_ level: Int?) {
        qualityLevel = Self.clamp(level)
    }

    public mutating func setLossyAllowed(_ allowed: Bool) { lossyAllowed = allowed }

    public mutating func takeLossyAreas() -> [Rect] {
        defer { jpegAreas.removeAll(keepingCapacity: true) }
        return jpegAreas
    }

    /// Writes `rect` as Tight rectangles and returns how many: fills for large solid areas, and
    /// pieces within the width and area limits for the rest; 0 for an empty rect.
    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        guard !rect.isEmpty else { return 0 }
        precondition(frame.bounds.contains(rect), "Tight rect \(rect) outside the frame \(frame.bounds)")
        let packing = TightPixelPacking(format: translator.format)
        var count = 0
        var work: [(rect: Rect, search: Bool)] = [(rect, true)]
        while let (r, search) = work.popLast() {
            if search && r.area >= TightSolidAreaSearch.minimumSearchArea,
               let (area, colour) = TightSolidAreaSearch.find(in: r, of: frame) {
                count += writeFill(area, colour: translatedKey(colour, packing, translator), packing: packing, into: &output)
                // The rows above were scanned without success; the other three parts may hold more.
                let above = Rect(minX: r.minX, minY: r.minY, maxX: r.maxX, maxY: area.minY)
                let left = Rect(minX: r.minX, minY: area.minY, maxX: area.minX, maxY: area.maxY)
                let right = Rect(minX: area.maxX, minY: area.minY, maxX: r.maxX, maxY: area.maxY)
                let below = Rect(minX: r.minX, minY: area.maxY, maxX: r.maxX, maxY: r.maxY)
                for (part, searchPart) in [(above, false), (left, true), (right, true), (below, true)] where !part.isEmpty {
                    work.append((part, searchPart))
                }
                continue
            }
            for piece in Self.pieces(of: r) {
                count += encodePiece(piece, of: frame, translator: translator, packing: packing, into: &output)
            }
        }
        return count
    }

    /// `rect` cut into row-major pieces at most 2048 wide and 65536 pixels large.
    static func pieces(of rect: Rect) -> [Rect] {
        let width = min(rect.width, maximumRectWidth)
        return rect.tiles(width: width, height: max(1, maximumRectArea / width))
    }

    private func translatedKey(_ canonical: UInt32, _ packing: TightPixelPacking, _ translator: PixelTranslator) -> UInt32 {
        packing.isRGB888 ? canonical : translator.pixelValue(canonical)
    }

    /// Fill rects of any height, cut only to the width limit.
    private func writeFill(_ rect: Rect, colour: UInt32, packing: TightPixelPacking, into output: inout ByteBuffer) -> Int {
        var count = 0
        for piece in rect.tiles(width: Self.maximumRectWidth, height: rect.height) {
            output.writeRectangleHeader(piece, encoding: encoding)
            output.writeInteger(Self.fillControl)
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: 4) { p in
                packing.store(colour, to: p.baseAddress!.assumingMemoryBound(to: UInt8.self))
                return packing.size
            }
            count += 1
        }
        return count
    }

    /// One piece within the limits: analyse its colours and write it with the best method.
    private mutating func encodePiece(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                      packing: TightPixelPacking, into output: inout ByteBuffer) -> Int {
        let n = rect.area
        let keys = scratch.keys
        packing.loadKeys(rect, of: frame, translator: translator, into: keys)
        let palette = scratch.palette
        let jpegAllowed = qualityLevel != nil && lossyAllowed && translator.format.bitsPerPixel >= 16 && n >= Self.minimumJPEGArea
        var limit = max(2, n / Self.paletteDivisors[compressLevel])
        if jpegAllowed { limit = min(limit, Self.paletteLimitWithJPEG) }
        let fewColours = palette.build(keys, count: n, maximum: limit)

        if fewColours && palette.count == 1 {
            return writeFill(rect, colour: palette.colours[0], packing: packing, into: &output)
        }
        output.writeRectangleHeader(rect, encoding: encoding)
        if fewColours {
            let stream: Stream = palette.count == 2 ? .mono : .indexed
            output.writeInteger(UInt8(streamNumber(stream)) << 4 | 0x40)
            output.writeInteger(Filter.palette.rawValue)
            output.writeInteger(UInt8(palette.count - 1))
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: palette.count * 4) { p in
                var q = p.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for colour in palette.colours {
                    packing.store(colour, to: q)
                    q += packing.size
                }
                return palette.count * packing.size
            }
            let length = palette.indexData(keys, width: rect.width, height: rect.height, into: scratch.filtered)
            writeData(length, stream: stream, into: &output)
            return 1
        }
        if jpegAllowed, let level = qualityLevel {
            let written: Bool? = scratch.jpeg?.compress(rect, of: frame, level: level) { jpeg in
                output.writeInteger(Self.jpegControl)
                Self.writeCompactLength(jpeg.count, into: &output)
                output.writeBytes(jpeg)
                return true
            }
            if written == true {
                jpegRectangles += 1
                jpegAreas.append(rect)
                return 1
            }
        }
        let gradientAllowed = qualityLevel == nil && translator.format.bitsPerPixel >= 16 && compressLevel >= 1
        if gradientAllowed && TightGradientFilter.isSmooth(keys, width: rect.width, height: rect.height, packing: packing) {
            output.writeInteger(UInt8(streamNumber(.gradient)) << 4 | 0x40)
            output.writeInteger(Filter.gradient.rawValue)
            let length = TightGradientFilter.apply(keys, width: rect.width, height: rect.height, packing: packing,
                                                   into: scratch.filtered)
            writeData(length, stream: .gradient, into: &output)
            return 1
        }
        output.writeInteger(UInt8(streamNumber(.fullColour)) << 4)
        let length = packing.copyFilter(keys, count: n, into: scratch.filtered)
        writeData(length, stream: .fullColour, into: &output)
        return 1
    }

    /// The filtered bytes in `scratch.filtered`: as they are when shorter than 12 bytes, else a
    /// compact length and the stream's zlib output (rfbproto), partially flushed: each stream
    /// continues only itself, so the flush's last bits may lead its next chunk
    /// (`DeflateStream.Flush.partial`, 3-4 bytes less a rectangle).
    private func writeData(_ length: Int, stream: Stream, into output: inout ByteBuffer) {
        let data = UnsafeRawBufferPointer(start: scratch.filtered, count: length)
        if length < Self.minimumBytesToCompress {
            output.writeBytes(data)
            return
        }
        scratch.compressed.removeAll(keepingCapacity: true)
        let deflater = streams[streamNumber(stream)]
        deflater.setLevel(zlibLevel(stream))
        deflater.compress(data, appendingTo: &scratch.compressed, flush: .partial)
        Self.writeCompactLength(scratch.compressed.count, into: &output)
        output.writeBytes(scratch.compressed)
    }

    /// The stream that data of `kind` goes to: its own, or the lane's.
    private func streamNumber(_ kind: Stream) -> Int { laneStream ?? kind.rawValue }

    /// The zlib level for data of `kind` at the current CompressLevel (TigerVNC's table; the
    /// gradient stream uses the full-colour level).
    private func zlibLevel(_ kind: Stream) -> Int {
        let z = Self.zlibLevels[compressLevel]
        switch kind {
        case .fullColour, .gradient: return z.fullColour
        case .mono: return z.mono
        case .indexed: return z.indexed
        }
    }

    /// Encodes up to four lanes concurrently, lane i with stream i and scratch of its own.
    public mutating func encodeLanes(_ lanes: [[LaneJob]], of frame: PixelView, translator: PixelTranslator,
                                     into output: inout ByteBuffer) -> Int {
        precondition(lanes.count <= maximumLanes, "Tight has \(maximumLanes) zlib streams, not \(lanes.count)")
        let scratches = [scratch] + laneScratch.scratch(count: lanes.count - 1)
        let encoder = self
        let outputs = LaneRunner.run(lanes.count) { i -> (ByteBuffer, Int, [Rect]) in
            var lane = encoder
            lane.laneStream = i
            lane.scratch = scratches[i]
            lane.jpegAreas = []
            var buffer = ByteBuffer()
            var count = 0
            for job in lanes[i] {
                lane.lossyAllowed = job.lossy
                count += lane.encode(job.rect, of: frame, translator: translator, into: &buffer)
            }
            return (buffer, count, lane.jpegAreas)
        }
        for lane in outputs {
            jpegRectangles += lane.2.count
            jpegAreas += lane.2
        }
        return LaneRunner.append(outputs.map { ($0.0, $0.1) }, to: &output)
    }

    /// The largest length the 1-3 byte compact representation can carry.
    static let maximumCompactLength = (1 << 22) - 1

    /// rfbproto's compact length: 7 bits per byte with a continuation bit, least significant
    /// first; the third byte carries 8 bits.
    static func writeCompactLength(_ length: Int, into output: inout ByteBuffer) {
        precondition(length >= 0 && length <= maximumCompactLength, "Tight length \(length) does not fit in 22 bits")
        if length < 0x80 {
            output.writeInteger(UInt8(length))
        } else if length < 0x4000 {
            output.writeBytes([UInt8(length & 0x7f | 0x80), UInt8(length >> 7)])
        } else {
            output.writeBytes([UInt8(length & 0x7f | 0x80), UInt8((length >> 7) & 0x7f | 0x80), UInt8(length >> 14)])
        }
    }
}

/// The Tight encoder's per-connection buffers, allocated once at the size of the largest piece.
final class TightScratch {
    /// One key per pixel of a piece.
    let keys: UnsafeMutablePointer<UInt32>
    /// The filtered data of a piece (at most 4 bytes per pixel).
    let filtered: UnsafeMutablePointer<UInt8>
    var compressed: [UInt8] = []
    let palette = TightPalette()
    /// Created on first use, so lossless connections never load a JPEG compressor.
    private var jpegCompressor: TightJPEGCompressor?
    private var jpegFailed = false

    init() {
        keys = .allocate(capacity: TightEncoder.maximumRectArea)
        filtered = .allocate(capacity: TightEncoder.maximumRectArea * 4)
    }

    deinit {
        keys.deallocate()
        filtered.deallocate()
    }

    var jpeg: TightJPEGCompressor? {
        if jpegCompressor == nil && !jpegFailed {
            jpegCompressor = TightJPEGCompressor()
            jpegFailed = jpegCompressor == nil
        }
        return jpegCompressor
    }
}

/// Scratch for the lanes after the first (each with its own JPEG compressor, which is not
/// thread-safe), kept for the connection so large updates allocate nothing.
final class TightLaneScratch {
    private var scratches: [TightScratch] = []

    func scratch(count: Int) -> [TightScratch] {
        while scratches.count < count { scratches.append(TightScratch()) }
        return Array(scratches.prefix(count))
    }
}
