import CMemoryHints
import Geometry
import Pixels
import RFB

/// Turns the tiles of one ZRLE rectangle into the uncompressed ZRLE byte stream (RFC 6143 §7.7.6),
/// choosing for every 64x64 tile the smallest of solid, packed palette, plain RLE, palette RLE and
/// raw.
///
/// The per-tile choice is made from exact sizes computed in one pass over the tile's runs (found
/// first, 64 pixels to a word of change bits, `findRunStarts`): the palette is only looked up when
/// the colour changes, in a small open-addressed table that gives
/// up after 127 colours (the most palette RLE can carry). The same pass keeps each run's palette
/// index, so the RLE writers walk the runs instead of scanning and looking up the pixels again;
/// the packed-palette writer finds eight pixels' indices at once by comparing them with the whole
/// palette (sixteen, for two colours: `gatherBits`). All buffers are allocated once and reused,
/// so encoding allocates nothing per tile or pixel. A class because it owns raw memory; it
/// belongs to one `ZRLEEncoder` and so to one connection.
final class ZRLETileEncoder {
    /// ZRLE tiles are 64x64 pixels (RFC 6143 §7.7.6).
    static let tileSize = 64
    /// The largest palette palette RLE can express (subencodings 130...255).
    static let maximumPaletteSize = 127
    /// The largest palette packed palette can express (subencodings 2...16).
    static let maximumPackedPaletteSize = 16

    private static let hashSize = 256

    /// Pixel values of the current tile, in the viewer's format, row-major without padding.
    private let tile: UnsafeMutablePointer<UInt32>
    /// Open-addressed colour table: `hashKeys[i]` is valid when `hashSlots[i]` is non-zero and
    /// then holds the palette index + 1.
    private let hashKeys: UnsafeMutablePointer<UInt32>
    private let hashSlots: UnsafeMutablePointer<UInt8>
    private let palette: UnsafeMutablePointer<UInt32>
    private var paletteCount = 0
    /// The runs of the current tile, in order: where each starts (after the last one, the pixel
    /// count, so run r is `runStarts[r]..<runStarts[r + 1]`) and its palette index (valid while
    /// the palette did not overflow). A tile has at most one run per pixel.
    private let runStarts: UnsafeMutablePointer<UInt16>
    private let runIndices: UnsafeMutablePointer<UInt8>
    private var runCount = 0

    /// The uncompressed bytes of the last rectangle (from where `encode` was told to start), and
    /// any kept before it; valid until the next `encode`.
    private(set) var output: UnsafeMutablePointer<UInt8>
    /// Where each tile of the last rectangle ends in `output`, in order (a tile starts where the
    /// one before ended; its first byte is its subencoding).
    private(set) var tileEnds: [Int] = []
    private var outputCapacity: Int

    init() {
        let tilePixels = Self.tileSize * Self.tileSize
        tile = .allocate(capacity: tilePixels)
        tile.initialize(repeating: 0, count: tilePixels)
        hashKeys = .allocate(capacity: Self.hashSize)
        hashKeys.initialize(repeating: 0, count: Self.hashSize)
        hashSlots = .allocate(capacity: Self.hashSize)
        hashSlots.initialize(repeating: 0, count: Self.hashSize)
        palette = .allocate(capacity: Self.maximumPaletteSize)
        palette.initialize(repeating: 0, count: Self.maximumPaletteSize)
        runIndices = .allocate(capacity: tilePixels)
        runIndices.initialize(repeating: 0, count: tilePixels)
        runStarts = .allocate(capacity: tilePixels + 1)
        runStarts.initialize(repeating: 0, count: tilePixels + 1)
        outputCapacity = 1 + tilePixels * 4
        output = .allocate(capacity: outputCapacity)
        output.initialize(repeating: 0, count: outputCapacity)
    }

    deinit {
        tile.deallocate()
        hashKeys.deallocate()
        hashSlots.deallocate()
        palette.deallocate()
        runIndices.deallocate()
        runStarts.deallocate()
        output.deallocate()
    }

    /// The most bytes `rect` can take: every tile at worst raw (subencoding byte + CPIXELs),
    /// because raw is always a candidate and the smallest candidate is written.
    static func maximumEncodedSize(of rect: Rect, compactPixel: ZRLECompactPixel) -> Int {
        let tilesAcross = (rect.width + tileSize - 1) / tileSize
        let tilesDown = (rect.height + tileSize - 1) / tileSize
        return tilesAcross * tilesDown + rect.width * rect.height * compactPixel.size
    }

    /// Encodes all tiles of `rect` (inside `frame`) row by row into `output` from offset `start`
    /// and returns the byte count; the `start` bytes before stay (a `ZRLELane` keeps all its
    /// rectangles one after another), and `tileEnds` count from `start`.
    func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                compactPixel: ZRLECompactPixel, after start: Int = 0) -> Int {
        let needed = start + Self.maximumEncodedSize(of: rect, compactPixel: compactPixel)
        if needed > outputCapacity {
            let capacity = max(needed, outputCapacity * 2)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.initialize(from: output, count: start)
            output.deallocate()
            output = grown
            outputCapacity = capacity
        }
        let output = self.output + start
        var written = 0
        tileEnds.removeAll(keepingCapacity: true)
        var ty = rect.minY
        while ty < rect.maxY {
            let th = min(Self.tileSize, rect.maxY - ty)
            var tx = rect.minX
            while tx < rect.maxX {
                let tw = min(Self.tileSize, rect.maxX - tx)
                loadTile(Rect(x: tx, y: ty, width: tw, height: th), of: frame, translator: translator)
                written += encodeTile(width: tw, height: th, compactPixel: compactPixel, to: output + written)
                tileEnds.append(written)
                tx += tw
            }
            ty += th
        }
        return written
    }

    // MARK: - Loading

    /// Converts one tile of canonical pixels into pixel values of the viewer's format. Screens
    /// repeat colours, so the last conversion is remembered.
    ///
    /// The frame is usually out of cache (a producer has just drawn it), and a tile's rows are a
    /// stride apart, each on a page of its own, so the CPU's own prefetcher, which follows
    /// sequential reads within a page, does not see them coming: each row would start with a wait
    /// for memory. So each row fetches the one `rowsFetchedAhead` below it, and the last rows
    /// fetch the first rows of the next tile to the right (docs/benchmarks.md, "Tiles' rows
    /// fetched ahead").
    private func loadTile(_ r: Rect, of frame: PixelView, translator: PixelTranslator) {
        var k = 0
        if translator.isIdentity {
            // XRGB8888 itself: the pixel value is the colour without the unused X byte.
            for y in r.minY..<r.maxY {
                let row = frame.row(y) + r.minX
                Self.fetchAhead(row: y, of: r, in: frame)
                for x in 0..<r.width {
                    tile[k &+ x] = row[x] & 0x00ff_ffff
                }
                k += r.width
            }
            return
        }
        var lastIn = frame[r.minX, r.minY]
        var lastOut = translator.pixelValue(lastIn)
        for y in r.minY..<r.maxY {
            let row = frame.row(y) + r.minX
            Self.fetchAhead(row: y, of: r, in: frame)
            for x in 0..<r.width {
                let s = row[x]
                if s != lastIn {
                    lastIn = s
                    lastOut = translator.pixelValue(s)
                }
                tile[k &+ x] = lastOut
            }
            k += r.width
        }
    }

    /// How far below the row being loaded the prefetch reaches: enough rows to cover memory's
    /// latency at the speed a row is loaded, few enough to stay inside the tile mostly.
    static let rowsFetchedAhead = 6

    /// Asks for the row `rowsFetchedAhead` below row `y` of tile `r`, or, near the tile's bottom,
    /// for the rows as far from the top of the tile to its right (the next one loaded, unless `r`
    /// ends its row of tiles). A tile is at most 64 pixels, 256 bytes, so five cache lines cover
    /// a row of it whatever its alignment. A prefetch never faults; rows below the frame and
    /// tiles right of it are not asked for only because they would be wasted.
    @inline(__always)
    private static func fetchAhead(row y: Int, of r: Rect, in frame: PixelView) {
        let ahead = y &+ rowsFetchedAhead
        let start: UnsafePointer<UInt32>
        if ahead < r.maxY {
            start = frame.row(ahead) + r.minX
        } else {
            let top = ahead &- r.height
            guard r.maxX < frame.width, top < frame.height else { return }
            start = frame.row(top) + r.maxX
        }
        let bytes = UnsafeRawPointer(start)
        porthole_prefetch(bytes)
        porthole_prefetch(bytes + 64)
        porthole_prefetch(bytes + 128)
        porthole_prefetch(bytes + 192)
        porthole_prefetch(bytes + 255)
    }

    // MARK: - Palette

    @inline(__always)
    private static func hash(_ v: UInt32) -> Int {
        Int((v &* 0x9E37_79B1) >> 24)
    }

    /// The palette index of `v`, adding it when there is room; nil once the palette would exceed
    /// 127 colours.
    @inline(__always)
    private func insert(_ v: UInt32) -> Int? {
        var h = Self.hash(v)
        while true {
            let slot = hashSlots[h]
            if slot == 0 {
                guard paletteCount < Self.maximumPaletteSize else { return nil }
                hashKeys[h] = v
                palette[paletteCount] = v
                paletteCount += 1
                hashSlots[h] = UInt8(paletteCount)
                return paletteCount - 1
            }
            if hashKeys[h] == v { return Int(slot) - 1 }
            h = (h &+ 1) & (Self.hashSize - 1)
        }
    }

    // MARK: - Tile

    /// Bits per packed index for a palette of `count` colours (RFC 6143 §7.7.6: 1 bit for 2
    /// colours, 2 bits for 3-4, 4 bits for 5-16).
    @inline(__always)
    static func packedBits(forPaletteSize count: Int) -> Int {
        count <= 2 ? 1 : count <= 4 ? 2 : 4
    }

    /// Writes one tile (already in `tile`) with the smallest subencoding; returns its byte count.
    private func encodeTile(width w: Int, height h: Int, compactPixel cp: ZRLECompactPixel,
                            to out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = w * h
        let cps = cp.size

        // The runs (which continue across rows, RFC 6143 §7.7.6), then one pass over them: the
        // length bytes plain RLE needs, the index + length bytes palette RLE needs, and the
        // palette while it stays within 127 colours; each run's index is kept.
        hashSlots.update(repeating: 0, count: Self.hashSize)
        paletteCount = 0
        var overflow = false
        var plainLengthBytes = 0
        var paletteRunBytes = 0
        let runs = findRunStarts(count: n)
        // Plain RLE takes at least a CPIXEL and a length byte per run. When that is no smaller
        // than raw and the palette overflows, raw is the choice, and the pass stops there: a
        // photograph's tile stops after 128 runs instead of going on for 4096.
        let plainCannotWin = runs &* (cps &+ 1) >= n &* cps
        var rawWins = false
        var start = 0
        for r in 0..<runs {
            let end = Int(runStarts[r &+ 1])
            let v = tile[start]
            let length = end &- start
            let lengthBytes = (length &- 1) / 255 &+ 1
            plainLengthBytes &+= lengthBytes
            paletteRunBytes &+= length == 1 ? 1 : 1 &+ lengthBytes
            if !overflow {
                if let index = insert(v) {
                    runIndices[r] = UInt8(truncatingIfNeeded: index)
                } else {
                    overflow = true
                    if plainCannotWin { rawWins = true; break }
                }
            }
            start = end
        }
        runCount = runs

        // Solid tile (subencoding 1).
        if !overflow && paletteCount == 1 {
            out[0] = 1
            cp.store(palette[0], to: out + 1)
            return 1 + cps
        }

        enum Choice { case raw, plainRLE, paletteRLE, packed }
        var choice = Choice.raw
        var best = n * cps
        let plainSize = runs * cps + plainLengthBytes
        if !rawWins && plainSize < best { choice = .plainRLE; best = plainSize }
        if !overflow {
            let paletteSize = paletteCount * cps
            if paletteSize + paletteRunBytes < best { choice = .paletteRLE; best = paletteSize + paletteRunBytes }
            if paletteCount <= Self.maximumPackedPaletteSize {
                let bits = Self.packedBits(forPaletteSize: paletteCount)
                let packedSize = paletteSize + h * ((w * bits + 7) / 8)
                if packedSize <= best { choice = .packed; best = packedSize }
            }
        }

        let written: Int
        switch choice {
        case .raw: written = writeRaw(count: n, cp, to: out)
        case .plainRLE: written = writePlainRLE(count: n, cp, to: out)
        case .paletteRLE: written = writePaletteRLE(count: n, cp, to: out)
        case .packed: written = writePacked(width: w, height: h, cp, to: out)
        }
        assert(written == best + 1, "ZRLE size estimate \(best + 1) != written \(written)")
        return written
    }

    /// Writes where each run of the tile's `count` pixels starts into `runStarts` (the first at
    /// 0, and `count` after the last) and returns the number of runs. Neighbours are compared
    /// sixteen at a time and the changes of 64 pixels gathered into one word (`gatherBits`) whose
    /// set bits are then read off: text tiles have runs
    /// of one to three pixels, and a loop that stopped at each run's end mispredicted a branch
    /// for most of them.
    private func findRunStarts(count n: Int) -> Int {
        runStarts[0] = 0
        var runs = 1
        let raw = UnsafeRawPointer(tile)
        var k = 1
        while k &+ 64 <= n {
            var changes: UInt64 = 0
            for chunk in 0..<4 {
                let offset = (k &+ chunk &* 16) &* 4
                let current = raw.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt32>.self)
                let previous = raw.loadUnaligned(fromByteOffset: offset &- 4, as: SIMD16<UInt32>.self)
                let bits = Self.gatherBits(of: current .!= previous, lowestFirst: true)
                changes |= (UInt64(bits.low) | UInt64(bits.high) << 8) << UInt64(chunk &* 16)
            }
            while changes != 0 {
                runStarts[runs] = UInt16(truncatingIfNeeded: k &+ changes.trailingZeroBitCount)
                runs &+= 1
                changes &= changes &- 1
            }
            k &+= 64
        }
        while k < n {
            if tile[k] != tile[k &- 1] {
                runStarts[runs] = UInt16(truncatingIfNeeded: k)
                runs &+= 1
            }
            k &+= 1
        }
        runStarts[runs] = UInt16(truncatingIfNeeded: n)
        return runs
    }

    #if !_endian(little)
    #error("gatherBits reads eight lanes of bytes as one UInt64, lane 0 in the lowest byte")
    #endif
    /// The lanes of `mask` as bits, eight lanes to a byte: for lanes 0-7 and for lanes 8-15, lane
    /// i as bit i (`lowestFirst`, for change bits) or as bit 7 - i (for packed palette indices,
    /// RFC 6143 §7.7.6: the leftmost pixel in the byte's most significant bits).
    ///
    /// Swift has no movemask, and summing weighted lanes took shuffles per eight lanes. Here each
    /// lane becomes a byte holding one bit, and one multiplication per eight bytes gathers those
    /// bits into the product's top byte: each byte's bit is shifted by a different multiple of 7,
    /// so that the eight land side by side in bits 56-63, and no two partial products meet.
    @inline(__always)
    static func gatherBits(of mask: SIMDMask<SIMD16<Int32>>, lowestFirst: Bool) -> (low: UInt8, high: UInt8) {
        // Bytes of 0x80 gathered by this land lane i at bit 56 + i; bytes of 0x01 gathered by
        // the other at bit 63 - i.
        let flag: UInt32 = lowestFirst ? 0x80 : 0x01
        let gather: UInt64 = lowestFirst ? 0x0002_0408_1020_4081 : 0x8040_2010_0804_0201
        let bytes = SIMD16<UInt8>(truncatingIfNeeded: SIMD16<UInt32>(repeating: 0).replacing(with: flag, where: mask))
        let low = (unsafeBitCast(bytes.lowHalf, to: UInt64.self) &* gather) >> 56
        let high = (unsafeBitCast(bytes.highHalf, to: UInt64.self) &* gather) >> 56
        return (UInt8(truncatingIfNeeded: low), UInt8(truncatingIfNeeded: high))
    }

    /// The pixel count of run `r` of the current tile.
    @inline(__always)
    private func runLength(_ r: Int) -> Int { Int(runStarts[r &+ 1]) &- Int(runStarts[r]) }

    /// Run length encoding shared by both RLE subencodings: (length - 1) as bytes of 255 and a
    /// final byte below 255 (RFC 6143 §7.7.6).
    @inline(__always)
    private static func writeRunLength(_ length: Int, to out: UnsafeMutablePointer<UInt8>, at offset: inout Int) {
        var r = length &- 1
        while r >= 255 {
            out[offset] = 255
            offset &+= 1
            r &-= 255
        }
        out[offset] = UInt8(truncatingIfNeeded: r)
        offset &+= 1
    }

    private func writePalette(_ cp: ZRLECompactPixel, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        for p in 0..<paletteCount {
            cp.store(palette[p], to: out + o)
            o &+= cp.size
        }
        return o
    }

    /// Subencoding 0: every pixel as a CPIXEL. Specialised per CPIXEL size because this is the
    /// path noisy (photographic) content takes.
    private func writeRaw(count n: Int, _ cp: ZRLECompactPixel, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = 0
        let d = out + 1
        switch cp.size {
        case 1:
            for i in 0..<n { d[i] = UInt8(truncatingIfNeeded: tile[i]) }
        case 2:
            let raw = UnsafeMutableRawPointer(d)
            for i in 0..<n {
                let v = UInt16(truncatingIfNeeded: tile[i])
                raw.storeBytes(of: cp.bigEndian ? v.bigEndian : v.littleEndian, toByteOffset: i &* 2, as: UInt16.self)
            }
        case 3:
            var o = 0
            let shift = cp.shift
            if cp.bigEndian {
                for i in 0..<n {
                    let v = tile[i] >> shift
                    d[o] = UInt8(truncatingIfNeeded: v >> 16)
                    d[o &+ 1] = UInt8(truncatingIfNeeded: v >> 8)
                    d[o &+ 2] = UInt8(truncatingIfNeeded: v)
                    o &+= 3
                }
            } else {
                for i in 0..<n {
                    let v = tile[i] >> shift
                    d[o] = UInt8(truncatingIfNeeded: v)
                    d[o &+ 1] = UInt8(truncatingIfNeeded: v >> 8)
                    d[o &+ 2] = UInt8(truncatingIfNeeded: v >> 16)
                    o &+= 3
                }
            }
        default:
            let raw = UnsafeMutableRawPointer(d)
            for i in 0..<n {
                let v = tile[i]
                raw.storeBytes(of: cp.bigEndian ? v.bigEndian : v.littleEndian, toByteOffset: i &* 4, as: UInt32.self)
            }
        }
        return 1 + n * cp.size
    }

    /// Subencoding 128: runs of (CPIXEL, length).
    private func writePlainRLE(count n: Int, _ cp: ZRLECompactPixel, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = 128
        var o = 1
        for r in 0..<runCount {
            cp.store(tile[Int(runStarts[r])], to: out + o)
            o &+= cp.size
            Self.writeRunLength(runLength(r), to: out, at: &o)
        }
        assert(Int(runStarts[runCount]) == n)
        return o
    }

    /// Subencodings 130...255: the palette, then per run the index (top bit set when a length
    /// follows, i.e. for runs longer than one pixel).
    private func writePaletteRLE(count n: Int, _ cp: ZRLECompactPixel, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(128 + paletteCount)
        var o = 1 + writePalette(cp, to: out + 1)
        for r in 0..<runCount {
            let length = runLength(r)
            if length == 1 {
                out[o] = runIndices[r]
                o &+= 1
            } else {
                out[o] = runIndices[r] | 0x80
                o &+= 1
                Self.writeRunLength(length, to: out, at: &o)
            }
        }
        return o
    }

    /// Subencodings 2...16: the palette, then indices packed most significant bits first, each
    /// row padded to a whole byte.
    ///
    /// Works eight pixels at a time: each is compared with every palette colour at once (SIMD),
    /// which gives the eight indices, shifted into place and summed into 1, 2 or 4 bytes; only a
    /// row's last `width % 8` pixels are looked up one by one. Text and UI tiles take this path
    /// and have runs of one to a few pixels, so the earlier writer, which went a run at a time,
    /// paid a run's bookkeeping every pixel or two: on the tile micro-benchmark (`porthole-bench
    /// zrle-tiles`) this one takes a fifth off the whole tile encoding of text and desktop frames.
    /// Two colours, most text, go sixteen pixels at a time: an index is then only whether the
    /// pixel is the second colour, and `gatherBits` packs sixteen such bits into two bytes.
    private func writePacked(width w: Int, height h: Int, _ cp: ZRLECompactPixel, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(paletteCount)
        var o = 1 + writePalette(cp, to: out + 1)
        let bits = Self.packedBits(forPaletteSize: paletteCount)
        let pixels = UnsafeRawPointer(tile)
        // Where each of eight indices goes in its byte: 8, 4 or 2 indices to a byte.
        let shifts: SIMD8<UInt32> = bits == 1 ? SIMD8(7, 6, 5, 4, 3, 2, 1, 0)
            : bits == 2 ? SIMD8(6, 4, 2, 0, 6, 4, 2, 0) : SIMD8(4, 0, 4, 0, 4, 0, 4, 0)
        let colours = paletteCount
        // Two colours (most text): an index is whether the pixel is the second colour.
        let second = SIMD16<UInt32>(repeating: colours == 2 ? palette[1] : 0)
        var k = 0
        for _ in 0..<h {
            var x = 0
            while colours == 2 && x &+ 16 <= w {
                let values = pixels.loadUnaligned(fromByteOffset: (k &+ x) &* 4, as: SIMD16<UInt32>.self)
                let packed = Self.gatherBits(of: values .== second, lowestFirst: false)
                out[o] = packed.low
                out[o &+ 1] = packed.high
                o &+= 2
                x &+= 16
            }
            while x &+ 8 <= w {
                let values = pixels.loadUnaligned(fromByteOffset: (k &+ x) &* 4, as: SIMD8<UInt32>.self)
                var indices = SIMD8<UInt32>(repeating: 0)
                for j in 1..<colours {
                    indices.replace(with: UInt32(truncatingIfNeeded: j), where: values .== SIMD8(repeating: palette[j]))
                }
                let placed = indices &<< shifts
                switch bits {
                case 1:
                    out[o] = UInt8(truncatingIfNeeded: placed.wrappedSum())
                    o &+= 1
                case 2:
                    out[o] = UInt8(truncatingIfNeeded: placed.lowHalf.wrappedSum())
                    out[o &+ 1] = UInt8(truncatingIfNeeded: placed.highHalf.wrappedSum())
                    o &+= 2
                default:
                    let pairs = placed.evenHalf | placed.oddHalf
                    for b in 0..<4 { out[o &+ b] = UInt8(truncatingIfNeeded: pairs[b]) }
                    o &+= 4
                }
                x &+= 8
            }
            if x < w {
                // Fewer than eight left: one by one, into the row's last bytes, the last padded
                // with zeros at the bottom.
                var accumulator = 0
                var pending = 0
                while x < w {
                    let value = tile[k &+ x]
                    var j = 0
                    while palette[j] != value { j &+= 1 }
                    accumulator = accumulator << bits | j
                    pending &+= bits
                    x &+= 1
                }
                while pending > 8 {
                    pending &-= 8
                    out[o] = UInt8(truncatingIfNeeded: accumulator >> pending)
                    o &+= 1
                }
                out[o] = UInt8(truncatingIfNeeded: accumulator << (8 &- pending))
                o &+= 1
            }
            k &+= w
        }
        return o
    }
}
