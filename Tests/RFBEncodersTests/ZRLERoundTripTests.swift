import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import PortholeTestSupport
@testable import RFBEncoders
@testable import RFBClient

/// ZRLE (RFC 6143 §7.7.6) encoded by `ZRLEEncoder` and decoded by `ZRLEDecoder` must give the
/// source picture, quantized to the viewer's format, inside the rect and nothing else.
struct ZRLERoundTripTests {
    enum Picture: String, CaseIterable, CustomTestStringConvertible {
        case random, desktop, photographic
        func image(width: Int, height: Int) -> PixelBuffer {
            switch self {
            case .random: return TestImages.random(width: width, height: height)
            case .desktop: return TestImages.desktop(width: width, height: height)
            case .photographic: return TestImages.photographic(width: width, height: height)
            }
        }
        var testDescription: String { rawValue }
    }

    /// Formats beyond TestImages.formats whose CPIXEL takes the other three bytes or all four.
    static let extraFormats: [PixelFormat] = [
        // Colour in the most significant three bytes, both byte orders (3-byte CPIXEL, high).
        PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 24, greenShift: 16, blueShift: 8),
        PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: true, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 8, greenShift: 16, blueShift: 24),
        // Colour straddling all four bytes: 4-byte CPIXEL.
        PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 20, greenShift: 12, blueShift: 4),
        // 30-bit colour: depth above 24, 4-byte CPIXEL.
        PixelFormat(bitsPerPixel: 32, depth: 30, bigEndian: true, trueColour: true, redMax: 1023, greenMax: 1023, blueMax: 1023, redShift: 20, greenShift: 10, blueShift: 0),
    ]

    @Test(arguments: TestImages.formats + extraFormats, Picture.allCases)
    func everyFormatAndPicture(format: PixelFormat, picture: Picture) throws {
        let source = picture.image(width: 150, height: 100)
        var h = ZRLETestHarness(size: source.size)
        try h.roundTrip(Rect(x: 37, y: 21, width: 100, height: 70), of: source, format: format)
        try h.roundTrip(source.bounds, of: source, format: format)
    }

    @Test func severalRectsShareOneStream() throws {
        var source = TestImages.desktop(width: 300, height: 200)
        var h = ZRLETestHarness(size: source.size)
        let rects = [
            source.bounds, Rect(x: 10, y: 10, width: 64, height: 64), Rect(x: 100, y: 50, width: 130, height: 140),
            Rect(x: 0, y: 190, width: 300, height: 10), Rect(x: 299, y: 0, width: 1, height: 200), source.bounds,
        ]
        for (i, rect) in rects.enumerated() {
            // Change the picture between updates so each chunk carries new data.
            source.fill(Rect(x: i * 40, y: i * 25, width: 50, height: 30), with: UInt32(i) * 0x0012_3456 & 0x00ff_ffff)
            try h.roundTrip(rect, of: source, format: i % 2 == 0 ? .xrgb8888 : .rgb565)
        }
    }

    @Test(arguments: [0, 1, 6, 9])
    func compressLevels(level: Int) throws {
        let source = TestImages.desktop(width: 200, height: 130)
        var h = ZRLETestHarness(size: source.size, compressLevel: level)
        #expect(h.encoder.compressLevel == level)
        try h.roundTrip(source.bounds, of: source, format: .xrgb8888)
        try h.roundTrip(Rect(x: 5, y: 7, width: 120, height: 90), of: source, format: .xrgb8888)
    }

    @Test func levelZeroStoresAndNineCompresses() {
        let source = TestImages.desktop(width: 200, height: 130)
        var stored = ZRLETestHarness(size: source.size, compressLevel: 0)
        var best = ZRLETestHarness(size: source.size, compressLevel: 9)
        let uncompressed = source.withView {
            stored.encoder.uncompressedTileBytes(source.bounds, of: $0, translator: PixelTranslator(format: .xrgb8888)).count
        }
        let storedSize = stored.encode(source.bounds, of: source, format: .xrgb8888).readableBytes
        let bestSize = best.encode(source.bounds, of: source, format: .xrgb8888).readableBytes
        #expect(storedSize > uncompressed)
        #expect(bestSize < uncompressed / 2)
    }

    @Test func levelChangesMidStream() throws {
        var source = TestImages.desktop(width: 160, height: 120)
        var h = ZRLETestHarness(size: source.size)
        #expect(h.encoder.compressLevel == ZRLEEncoder.defaultCompressLevel)
        for (i, level) in [Int?.some(1), 9, 0, nil, 12, -3].enumerated() {
            h.encoder.setCompressLevel(level)
            #expect(h.encoder.compressLevel == (level.map { max(0, min(9, $0)) } ?? 6))
            source.fill(Rect(x: i * 20, y: i * 15, width: 30, height: 20), with: 0x00ff_0000 >> UInt32(i))
            try h.roundTrip(Rect(x: i * 7, y: i * 5, width: 100, height: 80), of: source, format: .xrgb8888)
        }
    }

    @Test(arguments: [
        Rect(x: 0, y: 0, width: 1, height: 1), Rect(x: 0, y: 0, width: 63, height: 65),
        Rect(x: 0, y: 0, width: 4096, height: 1), Rect(x: 0, y: 0, width: 65, height: 64),
        Rect(x: 60, y: 62, width: 70, height: 5), Rect(x: 63, y: 1, width: 2, height: 129),
        Rect(x: 4000, y: 3, width: 100, height: 127), Rect(x: 1, y: 63, width: 4099, height: 66),
    ])
    func edgeSizes(rect: Rect) throws {
        let source = TestImages.desktop(width: 4100, height: 130)
        for format in [PixelFormat.xrgb8888, .bgr233] {
            var h = ZRLETestHarness(size: source.size)
            try h.roundTrip(rect, of: source, format: format)
        }
    }

    @Test func largeRectsAreSplitIntoBandsOfTileRows() throws {
        let source = TestImages.desktop(width: 150, height: 300)
        // Room for 1.5 tile rows of 150 x 3 bytes: bands of 64 rows.
        var encoder = ZRLEEncoder(compressLevel: nil, maximumBandBytes: 150 * 96 * 3)
        var decoder = ZRLEDecoder()
        var framebuffer = PixelBuffer(width: 150, height: 300)
        let rect = Rect(x: 0, y: 10, width: 150, height: 290)
        var wire = ByteBuffer()
        let count = source.withView { encoder.encode(rect, of: $0, translator: PixelTranslator(format: .xrgb8888), into: &wire) }
        #expect(count == 5)
        var bands: [Rect] = []
        for _ in 0..<count {
            let x = Int(wire.readInteger(as: UInt16.self)!), y = Int(wire.readInteger(as: UInt16.self)!)
            let w = Int(wire.readInteger(as: UInt16.self)!), h = Int(wire.readInteger(as: UInt16.self)!)
            #expect(wire.readInteger(as: Int32.self) == 16)
            let band = Rect(x: x, y: y, width: w, height: h)
            try decoder.decode(band, from: &wire, format: .xrgb8888, into: &framebuffer)
            bands.append(band)
        }
        #expect(wire.readableBytes == 0)
        #expect(bands.map(\.minY) == [10, 74, 138, 202, 266] && bands.map(\.height) == [64, 64, 64, 64, 34])
        #expect(framebuffer.cropped(to: rect) == source.cropped(to: rect))
        // A band is never narrower than one tile row, however small the limit.
        var tiny = ZRLEEncoder(compressLevel: nil, maximumBandBytes: 1)
        #expect(source.withView { tiny.encode(rect, of: $0, translator: PixelTranslator(format: .xrgb8888), into: &wire) } == 5)
    }

    @Test func emptyRectWritesNothing() {
        let source = TestImages.random(width: 10, height: 10)
        var h = ZRLETestHarness(size: source.size)
        #expect(h.encode(Rect(x: 3, y: 3, width: 0, height: 5), of: source, format: .xrgb8888).readableBytes == 0)
    }

    @Test func byteByByteFeeding() throws {
        let source = TestImages.desktop(width: 130, height: 90)
        var h = ZRLETestHarness(size: source.size)
        for rect in [Rect(x: 0, y: 0, width: 130, height: 90), Rect(x: 20, y: 10, width: 70, height: 70)] {
            var wire = h.encode(rect, of: source, format: .rgb565)
            wire.moveReaderIndex(forwardBy: 12)
            let payload = Array(wire.readableBytesView)
            for k in 0..<payload.count {
                var partial = ByteBuffer(bytes: payload[0..<k])
                #expect(throws: RectangleDecodingError.needMoreData) {
                    try h.decoder.decode(rect, from: &partial, format: .rgb565, into: &h.framebuffer)
                }
                #expect(partial.readableBytes == k)
            }
            // The stream was not touched by the attempts: the whole payload (plus the start of the
            // next message, which must stay unread) decodes.
            var complete = ByteBuffer(bytes: payload + [0xaa, 0xbb])
            try h.decoder.decode(rect, from: &complete, format: .rgb565, into: &h.framebuffer)
            #expect(Array(complete.readableBytesView) == [0xaa, 0xbb])
            h.expected.blit(TestImages.quantized(source, to: .rgb565).cropped(to: rect), at: rect.origin)
            #expect(h.framebuffer == h.expected)
        }
    }
}


/// An encoder and a decoder that share a connection, and a viewer framebuffer to draw into.
struct ZRLETestHarness {
    var encoder: ZRLEEncoder
    var decoder = ZRLEDecoder()
    var framebuffer: PixelBuffer
    /// What the framebuffer must show after every rect so far.
    var expected: PixelBuffer
    static let background: UInt32 = 0x00c0_ffee

    init(size: Size, compressLevel: Int? = nil) {
        encoder = ZRLEEncoder(compressLevel: compressLevel)
        framebuffer = PixelBuffer(width: size.width, height: size.height, fill: Self.background)
        expected = framebuffer
    }

    /// The wire bytes of `rect` of `source` (header included).
    mutating func encode(_ rect: Rect, of source: PixelBuffer, format: PixelFormat) -> ByteBuffer {
        var out = ByteBuffer()
        let translator = PixelTranslator(format: format)
        let count = source.withView { encoder.encode(rect, of: $0, translator: translator, into: &out) }
        #expect(count == (rect.isEmpty ? 0 : 1))
        return out
    }

    /// Encodes, checks the header, decodes and compares the whole framebuffer with the
    /// quantized source inside `rect` and the previous picture outside.
    mutating func roundTrip(_ rect: Rect, of source: PixelBuffer, format: PixelFormat,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        var wire = encode(rect, of: source, format: format)
        let header = wire.readSlice(length: 12)
        #expect(header.map { Array($0.readableBytesView) } == [
            UInt8(rect.x >> 8), UInt8(rect.x & 0xff), UInt8(rect.y >> 8), UInt8(rect.y & 0xff),
            UInt8(rect.width >> 8), UInt8(rect.width & 0xff), UInt8(rect.height >> 8), UInt8(rect.height & 0xff),
            0, 0, 0, 16,
        ], sourceLocation: sourceLocation)
        try decoder.decode(rect, from: &wire, format: format, into: &framebuffer)
        #expect(wire.readableBytes == 0, sourceLocation: sourceLocation)
        expected.blit(TestImages.quantized(source, to: format).cropped(to: rect), at: rect.origin)
        if framebuffer != expected {
            let firstBad = zip(framebuffer.pixels, expected.pixels).enumerated().first { $0.element.0 != $0.element.1 }!
            let p = Point(x: firstBad.offset % expected.width, y: firstBad.offset / expected.width)
            Issue.record("\(rect) in \(format): first difference at \(p): got \(String(firstBad.element.0, radix: 16)), want \(String(firstBad.element.1, radix: 16))",
                         sourceLocation: sourceLocation)
        }
    }
}

/// Noise tiles are stored (zlib level 0) inside the same chunk as compressed tiles; the viewer's
/// one inflate stream reads the mix, and the sizes show which tiles were stored.
struct ZRLEStoredTileTests {
    /// A desktop picture with a noise patch covering whole tiles in its middle.
    static func desktopWithNoise() -> PixelBuffer {
        var picture = TestImages.desktop(width: 320, height: 256)
        let noise = TestImages.random(width: 128, height: 128, seed: 7)
        for y in 0..<128 { for x in 0..<128 { picture[64 + x, 64 + y] = noise[x, y] } }
        return picture
    }

    @Test(arguments: [1, 6, 9])
    func mixedContentRoundTrips(level: Int) throws {
        let source = Self.desktopWithNoise()
        var h = ZRLETestHarness(size: source.size, compressLevel: level)
        try h.roundTrip(source.bounds, of: source, format: .xrgb8888)
        try h.roundTrip(Rect(x: 30, y: 40, width: 200, height: 150), of: source, format: .xrgb8888)
        try h.roundTrip(source.bounds, of: source, format: .rgb565)
        #expect(h.encoder.compressLevel == level, "the level asked for stays, whatever was stored")
    }

    @Test func exactlyTheNoiseTilesAreStored() {
        let source = Self.desktopWithNoise()
        for level in [1, 6, 9] {
            var h = ZRLETestHarness(size: source.size, compressLevel: level)
            let size = h.encode(source.bounds, of: source, format: .xrgb8888).readableBytes
            // Four whole 64x64 tiles of noise, raw: a subencoding byte and 3-byte CPIXELs each.
            let noiseTiles = 4 * (1 + 64 * 64 * 3)
            #expect(h.encoder.lastStoredBytes == noiseTiles, "level \(level)")
            // Stored costs the raw bytes plus a few bytes of block headers; the desktop around
            // the noise still compresses.
            var d = ZRLETestHarness(size: source.size, compressLevel: level)
            let desktop = TestImages.desktop(width: 320, height: 256)
            let desktopSize = d.encode(desktop.bounds, of: desktop, format: .xrgb8888).readableBytes
            #expect(size <= desktopSize + noiseTiles + 64, "level \(level): \(size) bytes against \(desktopSize) + \(noiseTiles)")
            #expect(d.encoder.lastStoredBytes == 0)
        }
        // Level 0 stores everything anyway, without asking the probe.
        var stored = ZRLETestHarness(size: source.size, compressLevel: 0)
        _ = stored.encode(source.bounds, of: source, format: .xrgb8888)
        #expect(stored.encoder.lastStoredBytes == 0)
    }
}
