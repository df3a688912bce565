import Foundation
import Testing
import NIOCore
import Geometry
import Pixels
import RFB
@testable import RFBEncoders
import RFBClient
import PortholeTestSupport

/// One Tight rectangle as it went over the wire.
struct TightRect {
    var rect: Rect
    /// The compression-control byte (rfbproto "Tight Encoding").
    var control: UInt8
    /// The filter id, when the control byte announces one.
    var filter: UInt8?
    var payloadBytes: Int
}

/// A Tight encoder and decoder sharing one connection, and the viewer's framebuffer.
struct TightHarness {
    var encoder: TightEncoder
    var decoder = TightDecoder()
    var framebuffer: PixelBuffer
    static let sentinel: UInt32 = 0x00c0_ffee

    init(size: Size, compressLevel: Int? = nil, qualityLevel: Int? = nil) {
        encoder = TightEncoder(compressLevel: compressLevel, qualityLevel: qualityLevel)
        framebuffer = PixelBuffer(width: size.width, height: size.height, fill: Self.sentinel)
    }

    /// The wire bytes of `rect` of `source` and the rect count the encoder reported.
    mutating func encode(_ rect: Rect, of source: PixelBuffer, format: PixelFormat) -> (ByteBuffer, Int) {
        var out = ByteBuffer()
        let translator = PixelTranslator(format: format)
        let count = source.withView { encoder.encode(rect, of: $0, translator: translator, into: &out) }
        return (out, count)
    }

    /// Decodes `count` rectangles from `wire`, which must then be empty.
    mutating func decode(_ wire: ByteBuffer, count: Int, format: PixelFormat) throws -> [TightRect] {
        var wire = wire
        var rects: [TightRect] = []
        for _ in 0..<count {
            let header = try #require(RoundTrip.readHeader(&wire))
            #expect(header.encoding == .tight)
            let control = try #require(wire.getInteger(at: wire.readerIndex, as: UInt8.self))
            let filter = control & 0xc0 == 0x40 ? wire.getInteger(at: wire.readerIndex + 1, as: UInt8.self) : nil
            let before = wire.readableBytes
            try decoder.decode(header.rect, from: &wire, format: format, into: &framebuffer)
            rects.append(TightRect(rect: header.rect, control: control, filter: filter, payloadBytes: before - wire.readableBytes))
        }
        #expect(wire.readableBytes == 0)
        return rects
    }

    /// Encodes and decodes `rect`; checks that the pieces tile the rect within Tight's limits.
    @discardableResult
    mutating func roundTrip(_ rect: Rect, of source: PixelBuffer, format: PixelFormat,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> [TightRect] {
        let (wire, count) = encode(rect, of: source, format: format)
        let rects = try decode(wire, count: count, format: format)
        var covered = Region()
        for r in rects {
            #expect(rect.contains(r.rect), sourceLocation: sourceLocation)
            #expect(r.rect.width <= 2048, "\(r.rect) is wider than 2048", sourceLocation: sourceLocation)
            if r.control >> 4 != 8 { #expect(r.rect.area <= 65536, sourceLocation: sourceLocation) }
            covered.formUnion(r.rect)
        }
        #expect(covered == Region(rect) && rects.map(\.rect.area).reduce(0, +) == rect.area,
                "pieces do not tile \(rect)", sourceLocation: sourceLocation)
        return rects
    }

    /// Checks that `rect` shows `source` exactly as `format` can represent it.
    func expectExact(_ rect: Rect, of source: PixelBuffer, format: PixelFormat, sourceLocation: SourceLocation = #_sourceLocation) {
        let want = TestImages.quantized(source.cropped(to: rect), to: format)
        let got = framebuffer.cropped(to: rect)
        if got != want {
            let bad = zip(got.pixels, want.pixels).filter { $0 != $1 }.count
            Issue.record("\(rect) in \(format): \(bad) pixels differ", sourceLocation: sourceLocation)
        }
    }

    /// Peak signal-to-noise ratio of `rect` against `source` over the three 8-bit components.
    func psnr(_ rect: Rect, of source: PixelBuffer) -> Double {
        var squared = 0.0
        for y in rect.minY..<rect.maxY {
            for x in rect.minX..<rect.maxX {
                let a = framebuffer[x, y], b = source[x, y]
                for shift: UInt32 in [0, 8, 16] {
                    let d = Double(Int((a >> shift) & 0xff) - Int((b >> shift) & 0xff))
                    squared += d * d
                }
            }
        }
        let mse = squared / Double(rect.area * 3)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}

/// Lossless Tight round trips (no QualityLevel): every format x picture x edge size decodes to
/// exactly the picture the format can show.
struct TightRoundTripTests {
    static let frameSize = Size(width: 4100, height: 70)
    static let rects = [
        Rect(x: 0, y: 0, width: 1, height: 1), Rect(x: 0, y: 0, width: 63, height: 65),
        Rect(x: 0, y: 0, width: 4096, height: 1), Rect(x: 3, y: 5, width: 2049, height: 10),
        Rect(x: 17, y: 3, width: 300, height: 67),
    ]

    @Test(arguments: TestImages.formats)
    func everyFormatPictureAndEdgeSize(format: PixelFormat) throws {
        for picture in TestPicture.allCases {
            let source = picture.make(Self.frameSize)
            var h = TightHarness(size: Self.frameSize)
            for rect in Self.rects {
                try h.roundTrip(rect, of: source, format: format)
                h.expectExact(rect, of: source, format: format)
            }
            #expect(h.framebuffer[4099, 69] == TightHarness.sentinel)
        }
    }

    @Test func wideRectsAreSplitAtTheLimits() throws {
        let source = TestImages.random(width: 4096, height: 40)
        var h = TightHarness(size: source.size)
        let rects = try h.roundTrip(source.bounds, of: source, format: .xrgb8888)
        #expect(rects.map(\.rect) == [
            Rect(x: 0, y: 0, width: 2048, height: 32), Rect(x: 2048, y: 0, width: 2048, height: 32),
            Rect(x: 0, y: 32, width: 2048, height: 8), Rect(x: 2048, y: 32, width: 2048, height: 8),
        ])
        h.expectExact(source.bounds, of: source, format: .xrgb8888)
        // A solid area wider than 2048 is still cut to the width limit.
        let solid = PixelBuffer(width: 5000, height: 3, fill: 0x0012_3456)
        var s = TightHarness(size: solid.size)
        let fills = try s.roundTrip(solid.bounds, of: solid, format: .xrgb8888)
        #expect(fills.map(\.rect.width) == [2048, 2048, 904] && fills.allSatisfy { $0.control == 0x80 })
        s.expectExact(solid.bounds, of: solid, format: .xrgb8888)
    }

    @Test func emptyRectWritesNothing() {
        let source = TestImages.random(width: 10, height: 10)
        var h = TightHarness(size: source.size)
        let (wire, count) = h.encode(Rect(x: 2, y: 2, width: 0, height: 4), of: source, format: .xrgb8888)
        #expect(count == 0 && wire.readableBytes == 0)
    }

    @Test func sequencesShareTheStreams() throws {
        var source = TestImages.desktop(width: 320, height: 200)
        var h = TightHarness(size: source.size)
        var rng = SplitMix(seed: 11)
        for step in 0..<40 {
            let format = TestImages.formats[step % TestImages.formats.count]
            let x = Int(rng.next() % 280), y = Int(rng.next() % 160)
            let rect = Rect(x: x, y: y, width: Int(rng.next() % UInt64(320 - x)) + 1, height: Int(rng.next() % UInt64(200 - y)) + 1)
            if step % 3 == 0 { source.blit(TestImages.photographic(width: 60, height: 40, seed: UInt64(step)), at: Point(x: x, y: y)) }
            if step % 4 == 1 { source.fill(Rect(x: y, y: x % 200, width: 50, height: 30), with: UInt32(step) * 0x0101_01) }
            try h.roundTrip(rect, of: source, format: format)
            h.expectExact(rect, of: source, format: format)
        }
    }

    @Test func everyCompressLevel() throws {
        let source = TestImages.desktop(width: 400, height: 300)
        var sizes: [Int] = []
        for level in 0...9 {
            var h = TightHarness(size: source.size, compressLevel: level)
            #expect(h.encoder.compressLevel == level)
            let (wire, count) = h.encode(source.bounds, of: source, format: .xrgb8888)
            _ = try h.decode(wire, count: count, format: .xrgb8888)
            h.expectExact(source.bounds, of: source, format: .xrgb8888)
            sizes.append(wire.readableBytes)
        }
        #expect(sizes[9] < sizes[0], "\(sizes)")
        #expect(sizes[6] <= sizes[1], "\(sizes)")
    }

    @Test func levelChangesMidStream() throws {
        let source = TestImages.desktop(width: 200, height: 150)
        var h = TightHarness(size: source.size)
        #expect(h.encoder.compressLevel == TightEncoder.defaultCompressLevel)
        for (i, level) in [Int?.some(0), 9, 1, nil, 15, -2].enumerated() {
            h.encoder.setCompressLevel(level)
            #expect(h.encoder.compressLevel == (level.map { max(0, min(9, $0)) } ?? TightEncoder.defaultCompressLevel))
            let rect = Rect(x: i * 10, y: i * 7, width: 120, height: 90)
            try h.roundTrip(rect, of: source, format: .rgb565)
            h.expectExact(rect, of: source, format: .rgb565)
        }
    }

    @Test func largeSolidAreasBecomeFills() throws {
        var source = PixelBuffer(width: 640, height: 480, fill: 0x0020_4060)
        source.blit(TestImages.random(width: 100, height: 50), at: Point(x: 300, y: 200))
        source.blit(TestImages.desktop(width: 200, height: 100), at: Point(x: 10, y: 350))
        var h = TightHarness(size: source.size)
        let rects = try h.roundTrip(source.bounds, of: source, format: .xrgb8888)
        h.expectExact(source.bounds, of: source, format: .xrgb8888)
        let filled = rects.filter { $0.control == 0x80 }.map(\.rect.area).reduce(0, +)
        #expect(filled >= 640 * 480 - 100 * 50 - 200 * 100 - 20_000, "only \(filled) pixels as fills")
        let bytes = rects.map(\.payloadBytes).reduce(0, +) + 12 * rects.count
        #expect(bytes < 100 * 50 * 3 + 40_000)
    }
}
