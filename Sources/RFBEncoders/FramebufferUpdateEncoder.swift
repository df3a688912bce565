import Display
import Geometry
import NIOCore
import Pixels
import RFB

/// Turns one viewer's pending changes into a complete FramebufferUpdate message (RFC 6143 §7.6.1):
/// CopyRect rectangles for moves first, then the damaged pixels in the viewer's preferred encoding.
///
/// It owns that viewer's encoder values (and with them their zlib streams), created on first use,
/// so each connection keeps its own compression state across updates.
///
/// An update with at least `parallelism.minimumPixels` to encode is split into lanes of about equal
/// area (`UpdateLanes`) that the encoder encodes concurrently (`LaneParallelEncoder`); the
/// message is the same sequence of rectangles a viewer decodes in order (docs/architecture.md,
/// "Encoding on all cores"). The caller still waits for the whole update, so at most one update
/// per viewer is in flight as before.
public struct FramebufferUpdateEncoder {
    /// Encodings in the viewer's order of preference (from SetEncodings).
    public private(set) var preferredEncoding: Encoding = .raw
    public private(set) var copyRectAllowed = false
    public private(set) var compressLevel: Int? = nil
    public private(set) var qualityLevel: Int? = nil
    /// The viewer understands LastRect, so an update may end with it instead of a known count.
    public private(set) var lastRectAllowed = false
    private var encoders: [Encoding: any FramebufferEncoder] = [:]
    private let makeEncoder: (Encoding) -> (any FramebufferEncoder)?
    public let parallelism: UpdateParallelism

    /// `makeEncoder` returns a new encoder for an encoding the server implements (Raw at least),
    /// nil otherwise.
    public init(makeEncoder: @escaping (Encoding) -> (any FramebufferEncoder)?, parallelism: UpdateParallelism = .allCores) {
        self.makeEncoder = makeEncoder
        self.parallelism = parallelism
    }

    /// Applies the viewer's SetEncodings preferences (RFC 6143 §7.5.2), which already name the
    /// first encoding in the viewer's order that the server implements.
    public mutating func configure(_ preferences: EncodingPreferences) {
        preferredEncoding = makeEncoder(preferences.preferred) != nil ? preferences.preferred : .raw
        copyRectAllowed = preferences.copyRect
        lastRectAllowed = preferences.lastRect
        compressLevel = preferences.compressLevel
        qualityLevel = preferences.qualityLevel
        for key in Array(encoders.keys) {
            encoders[key]!.setCompressLevel(compressLevel)
            encoders[key]!.setQualityLevel(qualityLevel)
        }
    }

    /// Encodings whose output depends on the QualityLevel: they may send lossy rectangles.
    public static let lossyEncodings: Set<Encoding> = [.tight]

    /// Whether this viewer's updates may contain lossy rectangles at all: it announced a
    /// QualityLevel (rfbproto "JPEG Quality Level Pseudo-encoding") and gets an encoding that uses
    /// it. Viewers without a QualityLevel only ever get exact pixels.
    public var mayEncodeLossy: Bool { qualityLevel != nil && Self.lossyEncodings.contains(preferredEncoding) }

    /// JPEG rectangles this viewer's Tight encoder has written so far (0 before Tight is used).
    public var jpegRectangles: Int { (encoders[.tight] as? TightEncoder)?.jpegRectangles ?? 0 }

    /// The rectangles written lossy since the last call (by the encoding in use), and forgets them:
    /// what the viewer must later get again exactly (`LossyRefreshTracker`).
    public mutating func takeLossyAreas() -> [Rect] {
        encoders[preferredEncoding]?.takeLossyAreas() ?? []
    }

    /// Encodes an update and returns the message, or nil when there is nothing to send.
    /// `leading` pseudo-rectangles (cursor, confirmations) come first. With `sharing`, rectangles
    /// of a stateless encoding are taken from it when another viewer encoded them, and offered to
    /// it otherwise. With `lossyArea`, the viewer's QualityLevel applies only inside it and
    /// everything outside is encoded losslessly (a refresh of tiles the viewer holds lossy); without
    /// it the encoder applies the QualityLevel wherever the content suits.
    public mutating func encodeUpdate(copies: [CopyMove], damage: Region, frame: PixelView,
                                      translator: PixelTranslator, leading: PseudoRectangles = PseudoRectangles(),
                                      sharing: (any EncodedRectangleSharing)? = nil, lossyArea: Region? = nil) -> ByteBuffer? {
        let rects = Self.batch(damage, mergingNeighbours: Self.neighbourMergingEncodings.contains(preferredEncoding))
        if copies.isEmpty && rects.isEmpty && leading.isEmpty { return nil }
        var message = ByteBuffer()
        let slot = message.reserveFramebufferUpdateHeader()
        var count = leading.count
        var leadingBytes = leading.bytes
        message.writeBuffer(&leadingBytes)
        var jobs: [LaneJob] = []
        for copy in copies {
            if copyRectAllowed {
                count += CopyRectEncoder.encode(destination: copy.destination, source: copy.source, into: &message)
            } else {
                jobs += self.jobs(copy.destination, lossyArea: lossyArea)
            }
        }
        for rect in rects { jobs += self.jobs(rect, lossyArea: lossyArea) }
        count += encode(jobs, frame: frame, translator: translator, sharing: sharing, into: &message)
        if count <= Int(UInt16.max) - 1 || (count == Int(UInt16.max) && !lastRectAllowed) {
            message.patchFramebufferUpdateCount(slot, count: count)
        } else if lastRectAllowed {
            // rfbproto §7.8 LastRect: a count of 65535 means "until the LastRect rectangle".
            message.writeLastRect()
            message.patchFramebufferUpdateCount(slot, count: Int(UInt16.max))
        } else {
            // Too many pieces for one message and no LastRect: send everything as one rectangle.
            let everything = copies.reduce(damage.bounds) { $0.union($1.destination) }
            return encodeUpdate(copies: [], damage: Region(everything), frame: frame, translator: translator, leading: leading,
                                sharing: sharing, lossyArea: lossyArea)
        }
        return message
    }

    /// `rect` as rectangles to encode: the part outside `lossyArea` lossless and the part inside
    /// at the viewer's QualityLevel, when a lossy area is given and the encoding can be lossy;
    /// otherwise the whole rect, where the encoder may apply the QualityLevel wherever the content suits.
    private func jobs(_ rect: Rect, lossyArea: Region?) -> [LaneJob] {
        guard let lossyArea, mayEncodeLossy else { return [LaneJob(rect: rect, lossy: true)] }
        let lossy = lossyArea.intersection(rect)
        if lossy.isEmpty { return [LaneJob(rect: rect, lossy: false)] }
        return Region(rect).subtracting(lossy).rects.map { LaneJob(rect: $0, lossy: false) }
            + lossy.rects.map { LaneJob(rect: $0, lossy: true) }
    }

    /// Encodes `jobs` in order, in lanes on several cores when they are large enough; rectangles of
    /// a stateless encoding are taken from `sharing` when another viewer encoded them, and offered
    /// to it otherwise.
    private mutating func encode(_ jobs: [LaneJob], frame: PixelView, translator: PixelTranslator,
                                 sharing: (any EncodedRectangleSharing)?, into out: inout ByteBuffer) -> Int {
        let sharing = Self.shareableEncodings.contains(preferredEncoding) ? sharing : nil
        let area = jobs.reduce(0) { $0 + $1.rect.area }
        // Taken out of `encoders` while the lanes use it, so that its scratch buffers and streams
        // are not copied on write because the dictionary still holds the same value.
        if parallelism.lanes > 1 && area >= parallelism.minimumPixels, preparedEncoder() is any LaneParallelEncoder,
           var encoder = encoders.removeValue(forKey: preferredEncoding) as? any LaneParallelEncoder {
            let lanes = UpdateLanes.split(jobs, lanes: min(parallelism.lanes, encoder.maximumLanes), rowGrid: encoder.laneRowGrid)
            let count: Int
            if let sharing {
                count = LaneRunner.encodeIndependently(encoder, lanes, of: frame, translator: translator, sharing: sharing, into: &out)
            } else {
                count = encoder.encodeLanes(lanes, of: frame, translator: translator, into: &out)
            }
            encoders[preferredEncoding] = encoder
            return count
        }
        var count = 0
        for job in jobs {
            if let sharing {
                count += sharing.writeShared(job.rect, into: &out) { encode(job.rect, frame: frame, translator: translator, lossy: job.lossy, into: &$0) }
            } else {
                count += encode(job.rect, frame: frame, translator: translator, lossy: job.lossy, into: &out)
            }
        }
        return count
    }

    /// The encoder for the preferred encoding, made on first use with the viewer's levels.
    private mutating func preparedEncoder() -> any FramebufferEncoder {
        let encoding = preferredEncoding
        if let encoder = encoders[encoding] { return encoder }
        guard var made = makeEncoder(encoding) else { preconditionFailure("\(encoding) was chosen but cannot be made") }
        made.setCompressLevel(compressLevel)
        made.setQualityLevel(qualityLevel)
        encoders[encoding] = made
        return made
    }

    /// Encodes `rect` with the preferred encoding, exactly unless `lossy` (then the encoder may
    /// use the viewer's QualityLevel where the content suits).
    private mutating func encode(_ rect: Rect, frame: PixelView, translator: PixelTranslator, lossy: Bool,
                                 into out: inout ByteBuffer) -> Int {
        let encoding = preferredEncoding
        _ = preparedEncoder()
        encoders[encoding]!.setLossyAllowed(lossy)
        return encoders[encoding]!.encode(rect, of: frame, translator: translator, into: &out)
    }

    /// A FramebufferUpdate holding only pseudo-rectangles: how size changes travel, so that no
    /// pixel rectangle shares an update with them (rfbproto "ExtendedDesktopSize").
    public static func noDataUpdate(_ rectangles: PseudoRectangles) -> ByteBuffer {
        var message = ByteBuffer()
        let slot = message.reserveFramebufferUpdateHeader()
        var bytes = rectangles.bytes
        message.writeBuffer(&bytes)
        message.patchFramebufferUpdateCount(slot, count: rectangles.count)
        return message
    }

    /// Encodings whose rectangles cost more than a few unchanged pixels in them: ZRLE's header,
    /// data length and zlib flush against a few bytes for runs of one colour. Clusters of
    /// damage go as one rectangle in them (`NeighbourMerging`); on the peers benchmark that saved
    /// 2-3% of the bytes on scrolling and motion. Raw and Hextile pay for every pixel, and keep
    /// the region's own rectangles; so does Tight, where joining was mixed (motion 9% fewer
    /// bytes, scrolling 10% more: docs/benchmarks.md, "Close rectangles joined for ZRLE").
    static let neighbourMergingEncodings: Set<Encoding> = [.zrle]

    /// Chooses the rectangles to send for a damage region: the region's own rectangles, merged into
    /// their bounding box when that adds little area, else (with `mergingNeighbours`) clusters of
    /// them merged likewise (`NeighbourMerging`), and coarsened to 64-pixel tiles when a region
    /// has so many small pieces that per-rectangle overhead would dominate.
    static func batch(_ damage: Region, mergingNeighbours: Bool = false) -> [Rect] {
        if damage.isEmpty { return [] }
        let bounds = damage.bounds
        if NeighbourMerging.isWorthJoining(box: bounds.area, damage: damage.area) || damage.rects.count == 1 { return [bounds] }
        if damage.rects.count <= 256 { return mergingNeighbours ? NeighbourMerging.merged(damage.rects) : damage.rects }
        return coarsened(damage, bounds: bounds).rects.flatMap { $0.tiles(width: bounds.width, height: 64) }
    }

    /// The 64-pixel tiles of `bounds` that `damage` touches, as a region. Each rectangle marks the
    /// tiles it covers in a bitmap, and the marked runs of each tile row go in banded order, so
    /// this costs the rectangles' tile count plus one pass over the tiles, where testing every
    /// tile against the region and adding it by union grew with tiles times rectangles.
    static func coarsened(_ damage: Region, bounds: Rect) -> Region {
        let tile = 64
        let columns = (bounds.width + tile - 1) / tile
        let rows = (bounds.height + tile - 1) / tile
        var touched = [Bool](repeating: false, count: columns * rows)
        for rect in damage.rects where !rect.isEmpty {
            let firstColumn = (rect.minX - bounds.minX) / tile, lastColumn = (rect.maxX - 1 - bounds.minX) / tile
            let firstRow = (rect.minY - bounds.minY) / tile, lastRow = (rect.maxY - 1 - bounds.minY) / tile
            for row in firstRow...lastRow {
                for column in firstColumn...lastColumn { touched[row * columns + column] = true }
            }
        }
        var runs: [Rect] = []
        for row in 0..<rows {
            let y = bounds.minY + row * tile
            let height = min(tile, bounds.maxY - y)
            var column = 0
            while column < columns {
                guard touched[row * columns + column] else { column += 1; continue }
                let start = column
                while column < columns && touched[row * columns + column] { column += 1 }
                let x = bounds.minX + start * tile
                runs.append(Rect(x: x, y: y, width: min(column * tile, bounds.width) - start * tile, height: height))
            }
        }
        return Region(bandedRects: runs)
    }
}
