import Testing
import NIOCore
import Geometry
import Pixels
import PortholeTestSupport
@testable import RFBEncoders
@testable import RFBClient

/// The per-tile choice of RFC 6143 §7.7.6 subencodings, checked on the uncompressed bytes of
/// constructed tiles, and the CPIXEL rule for every kind of format.
struct ZRLESubencodingTests {
    /// Distinct colours that stay distinct in XRGB8888.
    static func colour(_ k: Int) -> UInt32 { UInt32(k) &* 0x0001_0203 &+ 0x0010_0000 }

    /// A tile whose pixels use exactly `count` colours, the first `count` pixels one of each and
    /// the rest picked at random (so runs are mostly short).
    static func randomTile(colours count: Int, width: Int = 64, height: Int = 64) -> PixelBuffer {
        var rng = SplitMix(seed: UInt64(count))
        var b = PixelBuffer(width: width, height: height)
        for i in 0..<b.pixels.count {
            b.pixels[i] = colour(i < count ? i : Int(rng.next() % UInt64(count)))
        }
        return b
    }

    /// A tile of runs of `runLength` pixels cycling through `count` colours.
    static func stripedTile(colours count: Int, runLength: Int) -> PixelBuffer {
        var b = PixelBuffer(width: 64, height: 64)
        for i in 0..<b.pixels.count { b.pixels[i] = colour((i / runLength) % count) }
        return b
    }

    func uncompressed(_ source: PixelBuffer, _ format: PixelFormat = .xrgb8888, rect: Rect? = nil) -> [UInt8] {
        let encoder = ZRLEEncoder()
        return source.withView { encoder.uncompressedTileBytes(rect ?? source.bounds, of: $0, translator: PixelTranslator(format: format)) }
    }

    func roundTrip(_ source: PixelBuffer, _ format: PixelFormat = .xrgb8888) throws {
        var h = ZRLETestHarness(size: source.size)
        try h.roundTrip(source.bounds, of: source, format: format)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let tile: @Sendable () -> PixelBuffer
        let subencoding: UInt8
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "solid", tile: { PixelBuffer(width: 64, height: 64, fill: 0x00abcdef) }, subencoding: 1),
        Case(name: "2 colours", tile: { randomTile(colours: 2) }, subencoding: 2),
        Case(name: "3 colours", tile: { randomTile(colours: 3) }, subencoding: 3),
        Case(name: "5 colours", tile: { randomTile(colours: 5) }, subencoding: 5),
        Case(name: "16 colours", tile: { randomTile(colours: 16) }, subencoding: 16),
        Case(name: "17 colours", tile: { randomTile(colours: 17) }, subencoding: 128 + 17),
        Case(name: "127 colours", tile: { randomTile(colours: 127) }, subencoding: 128 + 127),
        Case(name: "128 colours", tile: { randomTile(colours: 128) }, subencoding: 0),
        Case(name: "200 colours in runs", tile: { stripedTile(colours: 200, runLength: 20) }, subencoding: 128),
        Case(name: "2 colours in long runs", tile: { stripedTile(colours: 2, runLength: 128) }, subencoding: 130),
        Case(name: "photograph", tile: { TestImages.photographic(width: 64, height: 64) }, subencoding: 0),
    ]

    @Test(arguments: cases)
    func constructedTilesPickTheirSubencoding(c: Case) throws {
        let tile = c.tile()
        let bytes = uncompressed(tile)
        #expect(bytes.first == c.subencoding)
        try roundTrip(tile)
        try roundTrip(tile, .rgb565)
    }

    @Test func solidTileIsFourBytes() {
        #expect(uncompressed(PixelBuffer(width: 64, height: 64, fill: 0x00112233)) == [1, 0x33, 0x22, 0x11])
        #expect(uncompressed(PixelBuffer(width: 64, height: 64, fill: 0x00112233), .rgb565) == [1, 0x06, 0x11])
    }

    @Test func packedPaletteRowsArePaddedMostSignificantBitFirst() throws {
        let a: UInt32 = 0x00010203, b: UInt32 = 0x00040506
        let tile = PixelBuffer(width: 3, height: 2, pixels: [a, b, a, b, a, b])
        #expect(uncompressed(tile) == [2, 3, 2, 1, 6, 5, 4, 0b0100_0000, 0b1010_0000])
        try roundTrip(tile)
        // 2 bits per index for 3 colours, 4 bits for 5.
        let three = PixelBuffer(width: 5, height: 1, pixels: [a, b, 0x00070809, b, a])
        #expect(uncompressed(three).suffix(2) == [0b00_01_10_01, 0b00_00_0000])
        try roundTrip(three)
        let five = PixelBuffer(width: 10, height: 1, pixels: (0..<10).map { Self.colour($0 % 5) })
        #expect(uncompressed(five).first == 5)
        #expect(uncompressed(five).suffix(5) == [0x01, 0x23, 0x40, 0x12, 0x34])
        try roundTrip(five)
    }

    /// The bit gathering behind the run finder and the two-colour packer, lane by lane against
    /// shifting each lane's bit into place.
    @Test func gatheredBitsAreTheLanesInEitherOrder() {
        var rng = SplitMix(seed: 0x6a7)
        for trial in 0..<512 {
            // Every single lane first, then random masks.
            let lanes = trial < 16 ? UInt16(1) << UInt16(trial) : UInt16(truncatingIfNeeded: rng.next())
            var values = SIMD16<Int32>(repeating: 0)
            for i in 0..<16 where lanes >> UInt16(i) & 1 == 1 { values[i] = 1 }
            let mask = values .== SIMD16<Int32>(repeating: 1)
            let lowest = ZRLETileEncoder.gatherBits(of: mask, lowestFirst: true)
            #expect(UInt16(lowest.low) | UInt16(lowest.high) << 8 == lanes)
            var highest: (low: UInt8, high: UInt8) = (0, 0)
            for i in 0..<8 where lanes >> UInt16(i) & 1 == 1 { highest.low |= 0x80 >> UInt8(i) }
            for i in 8..<16 where lanes >> UInt16(i) & 1 == 1 { highest.high |= 0x80 >> UInt8(i - 8) }
            let packed = ZRLETileEncoder.gatherBits(of: mask, lowestFirst: false)
            #expect(packed.low == highest.low && packed.high == highest.high, "lanes \(String(lanes, radix: 2))")
        }
    }

    @Test func packedPaletteSizeIsExact() {
        // 2 colours: 1 + 2 x 3 palette + 64 rows x 8 bytes.
        #expect(uncompressed(Self.randomTile(colours: 2)).count == 1 + 6 + 64 * 8)
        // 16 colours in 17-pixel-wide tiles: rows of 9 bytes (4 bits each, padded).
        let narrow = Self.randomTile(colours: 16, width: 17, height: 64)
        let bytes = uncompressed(narrow)
        #expect(bytes.first == 16)
        #expect(bytes.count == 1 + 48 + 64 * 9)
    }

    /// Packed-palette tiles of every width and index size, with runs from one pixel to more than
    /// a row (so runs cross row ends), must be exactly a pixel-by-pixel packing of the indices:
    /// the writer works sixteen pixels at a time (two colours), then eight, and the rest of a row
    /// one by one.
    @Test(arguments: [2, 3, 4, 5, 9, 16])
    func packedPaletteEqualsPackingPixelByPixel(colours count: Int) throws {
        var rng = SplitMix(seed: UInt64(100 + count))
        var packedTiles = 0
        for width in [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64] {
            for maximumRun in [1, 3, 9, 70] {
                let height = 1 + Int(rng.next() % 64)
                var tile = PixelBuffer(width: width, height: height)
                var i = 0
                while i < tile.pixels.count {
                    let k = i < count ? i : Int(rng.next() % UInt64(count))
                    let run = i < count ? 1 : 1 + Int(rng.next() % UInt64(maximumRun))
                    for j in i..<min(i + run, tile.pixels.count) { tile.pixels[j] = Self.colour(k) }
                    i += run
                }
                let bytes = uncompressed(tile)
                guard bytes.first == UInt8(count) else { continue } // another subencoding was smaller
                packedTiles += 1
                #expect(bytes == Self.packedReference(tile, colours: count), "\(count) colours, \(width)x\(height), runs up to \(maximumRun)")
                try roundTrip(tile)
            }
        }
        #expect(packedTiles >= 20, "only \(packedTiles) of the tiles were packed")
    }

    /// RFC 6143 §7.7.6 packed palette, one pixel at a time: the palette in order of first
    /// appearance (little-endian 3-byte CPIXELs), then each row's indices most significant bits
    /// first, padded to a byte.
    static func packedReference(_ tile: PixelBuffer, colours count: Int) -> [UInt8] {
        var palette: [UInt32] = []
        for p in tile.pixels where !palette.contains(p) { palette.append(p) }
        var out: [UInt8] = [UInt8(count)]
        for p in palette { out += [UInt8(p & 0xff), UInt8(p >> 8 & 0xff), UInt8(p >> 16 & 0xff)] }
        let bits = count <= 2 ? 1 : count <= 4 ? 2 : 4
        for y in 0..<tile.height {
            var byte = 0, used = 0
            for x in 0..<tile.width {
                byte = byte << bits | palette.firstIndex(of: tile.pixels[y * tile.width + x])!
                used += bits
                if used == 8 { out.append(UInt8(byte)); byte = 0; used = 0 }
            }
            if used > 0 { out.append(UInt8(byte << (8 - used))) }
        }
        return out
    }

    @Test func runLengthsUseBytesOf255() throws {
        // 128 single-pixel colours, then one run of 3968: too many colours for a palette, and
        // plain RLE is far smaller than raw.
        var tile = PixelBuffer(width: 64, height: 64, fill: 0x00fe_dcba)
        for i in 0..<128 { tile.pixels[i] = Self.colour(i) }
        let bytes = uncompressed(tile)
        #expect(bytes.first == 128)
        // 3968 - 1 = 15 x 255 + 142.
        #expect(Array(bytes.suffix(19)) == [0xba, 0xdc, 0xfe] + [UInt8](repeating: 255, count: 15) + [142])
        #expect(bytes.count == 1 + 128 * 4 + 3 + 16)
        try roundTrip(tile)
        try roundTrip(tile, .bgr233)
    }

    @Test func paletteRLEMarksRunsWithTheTopBit() throws {
        // a x1, b x2, a x300, b x rest of a 64x64 tile.
        let a: UInt32 = 0x0000_00ff, b: UInt32 = 0x00ff_0000
        var pixels = [a] + [b, b] + [UInt32](repeating: a, count: 300)
        pixels += [UInt32](repeating: b, count: 4096 - pixels.count)
        for i in stride(from: 400, to: 4000, by: 200) { pixels[i] = a; pixels[i + 1] = b; pixels[i + 2] = b; pixels[i + 3] = a }
        let tile = PixelBuffer(width: 64, height: 64, pixels: pixels)
        let bytes = uncompressed(tile)
        #expect(bytes.first == 130)
        // Palette a, b (little-endian CPIXELs), then a (single), b x2, a x300 = 255 + 44.
        #expect(Array(bytes[0..<13]) == [130, 0xff, 0, 0, 0, 0, 0xff, 0x00, 0x81, 1, 0x80, 255, 44])
        try roundTrip(tile)
    }

    @Test func everyTileOfALargeRectChoosesOnItsOwn() throws {
        // Side by side: solid, 2 colours, photograph, striped (four 64x64 tiles in a row), plus a
        // partial 10-pixel tile on the right.
        var source = PixelBuffer(width: 266, height: 64, fill: 0x00445566)
        source.blit(Self.randomTile(colours: 2), at: Point(x: 64, y: 0))
        source.blit(TestImages.photographic(width: 64, height: 64), at: Point(x: 128, y: 0))
        source.blit(Self.stripedTile(colours: 200, runLength: 20), at: Point(x: 192, y: 0))
        let bytes = uncompressed(source)
        var offset = 0
        var subencodings: [UInt8] = []
        for expectedSize in [4, 1 + 6 + 512, 1 + 64 * 64 * 3, 1 + 205 * 4] {
            subencodings.append(bytes[offset])
            offset += expectedSize
        }
        #expect(subencodings == [1, 2, 0, 128])
        #expect(offset < bytes.count)
        try roundTrip(source)
    }

    // MARK: - CPIXEL

    static func format32(bigEndian: Bool, depth: UInt8 = 24, max: UInt16 = 255, shifts: (UInt8, UInt8, UInt8)) -> PixelFormat {
        PixelFormat(bitsPerPixel: 32, depth: depth, bigEndian: bigEndian, trueColour: true, redMax: max, greenMax: max, blueMax: max,
                    redShift: shifts.0, greenShift: shifts.1, blueShift: shifts.2)
    }

    /// A 32 bpp format with 5-6-5 colour in bits 8...23: it fits both three-byte halves.
    static func middle565(bigEndian: Bool) -> PixelFormat {
        PixelFormat(bitsPerPixel: 32, depth: 16, bigEndian: bigEndian, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31,
                    redShift: 19, greenShift: 13, blueShift: 8)
    }

    struct CPixelCase: Sendable, CustomTestStringConvertible {
        let format: PixelFormat
        let size: Int
        /// The wire bytes of a solid tile's CPIXEL for canonical 0x112233.
        let solidBytes: [UInt8]
        var testDescription: String { format.description }
    }

    static let cpixelCases: [CPixelCase] = [
        CPixelCase(format: .xrgb8888, size: 3, solidBytes: [0x33, 0x22, 0x11]),
        // Big-endian with the colour low (TestImages' BE format): the last three wire bytes.
        CPixelCase(format: format32(bigEndian: true, shifts: (0, 8, 16)), size: 3, solidBytes: [0x33, 0x22, 0x11]),
        CPixelCase(format: format32(bigEndian: true, shifts: (16, 8, 0)), size: 3, solidBytes: [0x11, 0x22, 0x33]),
        // Colour high: little-endian keeps the last three wire bytes, big-endian the first three.
        CPixelCase(format: format32(bigEndian: false, shifts: (24, 16, 8)), size: 3, solidBytes: [0x33, 0x22, 0x11]),
        CPixelCase(format: format32(bigEndian: true, shifts: (24, 16, 8)), size: 3, solidBytes: [0x11, 0x22, 0x33]),
        // Both halves fit: the first three wire bytes win (low for LE, high for BE).
        CPixelCase(format: middle565(bigEndian: false), size: 3, solidBytes: [0x00, 0x06, 0x11]),
        CPixelCase(format: middle565(bigEndian: true), size: 3, solidBytes: [0x00, 0x11, 0x06]),
        // Neither half, or depth above 24: the whole pixel.
        CPixelCase(format: format32(bigEndian: false, shifts: (20, 12, 4)), size: 4, solidBytes: [0x30, 0x23, 0x12, 0x01]),
        CPixelCase(format: format32(bigEndian: false, depth: 32, shifts: (16, 8, 0)), size: 4, solidBytes: [0x33, 0x22, 0x11, 0x00]),
        CPixelCase(format: format32(bigEndian: true, depth: 30, max: 1023, shifts: (20, 10, 0)), size: 4, solidBytes: [0x04, 0x42, 0x20, 0xcd]),
        CPixelCase(format: .rgb565, size: 2, solidBytes: [0x06, 0x11]),
        CPixelCase(format: TestImages.formats[4], size: 2, solidBytes: [0x08, 0x86]),
        CPixelCase(format: .bgr233, size: 1, solidBytes: [0x48]),
    ]

    @Test(arguments: cpixelCases)
    func compactPixelRule(c: CPixelCase) throws {
        try c.format.validate()
        #expect(ZRLEEncoder.compactPixelSize(for: c.format) == c.size)
        #expect(ZRLEDecoder.compactPixelSize(for: c.format) == c.size)
        #expect(uncompressed(PixelBuffer(width: 3, height: 3, fill: 0x0011_2233), c.format) == [1] + c.solidBytes)
        try roundTrip(TestImages.desktop(width: 100, height: 70), c.format)
        try roundTrip(TestImages.random(width: 70, height: 66), c.format)
    }
}
