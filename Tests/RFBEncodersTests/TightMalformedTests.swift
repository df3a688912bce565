import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport
import ZlibStreams

/// Hostile and partial Tight payloads: partial input waits without consuming or touching the
/// streams, every contradiction is `.malformed` with a message that says why.
struct TightMalformedTests {
    static let small = Rect(x: 1, y: 2, width: 4, height: 4)

    static func decode(_ bytes: [UInt8], rect: Rect = small, format: PixelFormat = .xrgb8888,
                       decoder: inout TightDecoder) throws(RectangleDecodingError) -> PixelBuffer {
        var fb = PixelBuffer(width: 3000, height: 80, fill: 0x00ee_eeee)
        var input = ByteBuffer(bytes: bytes)
        try decoder.decode(rect, from: &input, format: format, into: &fb)
        #expect(input.readableBytes == 0)
        return fb
    }

    static func expectMalformed(_ bytes: [UInt8], rect: Rect = small, format: PixelFormat = .xrgb8888,
                                containing phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var decoder = TightDecoder()
        do {
            _ = try decode(bytes, rect: rect, format: format, decoder: &decoder)
            Issue.record("decoded without error", sourceLocation: sourceLocation)
        } catch .malformed(let why) {
            #expect(why.contains(phrase), "\(why)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error) instead of malformed", sourceLocation: sourceLocation)
        }
    }

    /// Compact length + zlib data of `data` on a fresh stream.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var z: [UInt8] = []
        DeflateStream(level: 6).compress(data, appendingTo: &z)
        var length = ByteBuffer()
        let n = z.count
        if n < 128 { length.writeInteger(UInt8(n)) } else { length.writeBytes([UInt8(n & 0x7f | 0x80), UInt8(n >> 7)]) }
        return Array(length.readableBytesView) + z
    }

    @Test func craftedRectsDecode() throws {
        var decoder = TightDecoder()
        var fb = try Self.decode([0x80, 0x11, 0x22, 0x33], decoder: &decoder)
        #expect(fb[1, 2] == 0x0011_2233 && fb[4, 5] == 0x0011_2233 && fb[0, 2] == 0x00ee_eeee && fb[5, 5] == 0x00ee_eeee)
        // Palette of 3, indices 0,1,2,1 repeated, zlib on stream 2.
        let indices: [UInt8] = (0..<16).map { [0, 1, 2, 1][$0 % 4] }
        fb = try Self.decode([0x60, 0x01, 0x02, 0xff, 0, 0, 0, 0xff, 0, 0, 0, 0xff] + Self.zlib(indices), decoder: &decoder)
        #expect([fb[1, 2], fb[2, 2], fb[3, 2], fb[4, 2]] == [0x00ff_0000, 0x0000_ff00, 0x0000_00ff, 0x0000_ff00])
        // RGB565 fill (TPIXEL is the 2-byte pixel, little-endian).
        fb = try Self.decode([0x80, 0x00, 0xf8], format: .rgb565, decoder: &decoder)
        #expect(fb[2, 3] == 0x00ff_0000)
    }

    @Test func badControlBytesAndFilters() {
        Self.expectMalformed([0xa0], containing: "PngCompression")
        for control: UInt8 in [0xb0, 0xc0, 0xf3] {
            Self.expectMalformed([control], containing: "names no compression method")
        }
        Self.expectMalformed([0x40, 0x03], containing: "filter id 3 is not defined")
        Self.expectMalformed([0x40, 0xff], containing: "filter id 255")
    }

    @Test func paletteProblems() {
        Self.expectMalformed([0x60, 0x01, 0x00, 1, 2, 3], containing: "palette of 1 colour")
        let indices: [UInt8] = [0, 1, 2, 5] + [UInt8](repeating: 0, count: 12)
        Self.expectMalformed([0x60, 0x01, 0x02, 1, 1, 1, 2, 2, 2, 3, 3, 3] + Self.zlib(indices),
                             containing: "palette index 5 outside a palette of 3")
    }

    @Test func filtersOnlyWhereTheSpecAllowsThem() {
        Self.expectMalformed([0x90, 0x02, 0xff, 0xd8], format: .bgr233, containing: "JpegCompression at 8 bits per pixel")
        Self.expectMalformed([0x40, 0x02] + [UInt8](repeating: 0, count: 11), rect: Rect(x: 0, y: 0, width: 1, height: 1),
                             format: .bgr233, containing: "GradientFilter at 8 bits per pixel")
        Self.expectMalformed([0x00] + Self.zlib([UInt8](repeating: 0, count: 2049 * 3)), rect: Rect(x: 0, y: 0, width: 2049, height: 1),
                             containing: "exceeds the spec's limit of 2048")
    }

    @Test func badJPEG() {
        Self.expectMalformed([0x90, 0x05, 1, 2, 3, 4, 5], containing: "JPEG")
        // A real JPEG of another size.
        let photo = TestImages.photographic(width: 64, height: 32)
        var encoder = TightEncoder(qualityLevel: 9)
        var out = ByteBuffer()
        _ = photo.withView { encoder.encode(photo.bounds, of: $0, translator: PixelTranslator(format: .xrgb8888), into: &out) }
        let payload = Array(out.readableBytesView.dropFirst(12))
        #expect(payload.first == 0x90)
        Self.expectMalformed(payload, rect: Rect(x: 0, y: 0, width: 32, height: 64), containing: "JPEG image is 64x32 but the rect is 32x64")
        var decoder = TightDecoder()
        #expect(throws: Never.self) { _ = try Self.decode(payload, rect: Rect(x: 0, y: 0, width: 64, height: 32), decoder: &decoder) }
    }

    @Test func zlibDataOfTheWrongSize() {
        // 4x4 copy filter at 3 bytes per TPIXEL needs 48 bytes.
        Self.expectMalformed([0x00] + Self.zlib([UInt8](repeating: 7, count: 49)), containing: "inflates past the 48 bytes")
        Self.expectMalformed([0x00] + Self.zlib([UInt8](repeating: 7, count: 47)), containing: "inflates to 47 bytes, the filter needs 48")
        Self.expectMalformed([0x00, 0x07, 0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x12], containing: "zlib stream 0")
    }

    @Test func rectOutsideTheFramebuffer() {
        Self.expectMalformed([0x80, 1, 2, 3], rect: Rect(x: 2999, y: 0, width: 2, height: 2), containing: "outside")
    }

    @Test func partialPayloadsWaitAndTouchNothing() throws {
        // One of each method from the encoder, fed byte by byte to one decoder: every prefix
        // is needMoreData with the input untouched, and the stream stays in step.
        var source = PixelBuffer(width: 300, height: 100, fill: 0x0040_4040)
        source.blit(TestPicture.twoColour.make(Size(width: 40, height: 30)), at: Point(x: 0, y: 0))
        source.blit(TestImages.photographic(width: 60, height: 40), at: Point(x: 100, y: 0))
        source.blit(TestImages.random(width: 30, height: 30), at: Point(x: 200, y: 50))
        var indexed = PixelBuffer(width: 20, height: 20)
        for i in 0..<indexed.pixels.count { indexed.pixels[i] = UInt32(i % 5) * 0x0033_0000 }
        source.blit(indexed, at: Point(x: 250, y: 0))
        let cases: [(Rect, Int?)] = [
            (Rect(x: 0, y: 0, width: 40, height: 30), nil), (Rect(x: 100, y: 0, width: 60, height: 40), nil),
            (Rect(x: 100, y: 0, width: 60, height: 40), 6), (Rect(x: 200, y: 50, width: 30, height: 30), nil),
            (Rect(x: 250, y: 0, width: 20, height: 20), nil), (Rect(x: 0, y: 60, width: 10, height: 10), nil),
            (Rect(x: 0, y: 0, width: 40, height: 30), nil),
        ]
        var h = TightHarness(size: source.size)
        var controls: Set<UInt8> = []
        for format in [PixelFormat.xrgb8888, .rgb565] {
            for (rect, quality) in cases {
                h.encoder.setQualityLevel(quality)
                var (wire, count) = h.encode(rect, of: source, format: format)
                #expect(count == 1)
                let header = try #require(RoundTrip.readHeader(&wire))
                let payload = Array(wire.readableBytesView)
                controls.insert(payload[0])
                for k in 0..<payload.count {
                    var partial = ByteBuffer(bytes: payload[0..<k])
                    #expect(throws: RectangleDecodingError.needMoreData) {
                        try h.decoder.decode(header.rect, from: &partial, format: format, into: &h.framebuffer)
                    }
                    #expect(partial.readableBytes == k && partial.readerIndex == 0)
                }
                var complete = ByteBuffer(bytes: payload + [0xaa])
                try h.decoder.decode(header.rect, from: &complete, format: format, into: &h.framebuffer)
                #expect(Array(complete.readableBytesView) == [0xaa])
                if quality == nil { h.expectExact(rect, of: source, format: format) }
            }
        }
        #expect(controls.isSuperset(of: [0x80, 0x50, 0x60, 0x70, 0x00, 0x90]), "\(controls.map { String($0, radix: 16) })")
    }

    @Test func resetBitsRestartTheStreams() throws {
        // Rect 1 goes through stream 0 of a long-lived encoder; rect 2 was compressed on a fresh
        // stream, so its control byte must reset stream 0 (bit 0) for it to inflate.
        let noise = TestImages.random(width: 8, height: 8)
        var h = TightHarness(size: noise.size)
        let rects = try h.roundTrip(noise.bounds, of: noise, format: .xrgb8888)
        #expect(rects.map(\.control) == [0x00])
        var data: [UInt8] = []
        for p in noise.pixels.reversed() { data += [UInt8(p >> 16 & 0xff), UInt8(p >> 8 & 0xff), UInt8(p & 0xff)] }
        var reversed = noise
        reversed.pixels.reverse()
        var wire = ByteBuffer(bytes: [0x01] + Self.zlib(data))
        try h.decoder.decode(noise.bounds, from: &wire, format: .xrgb8888, into: &h.framebuffer)
        #expect(h.framebuffer == reversed)
        // Resets also happen for fill rects, and then stream 0 starts afresh again.
        wire = ByteBuffer(bytes: [0x81, 1, 2, 3])
        try h.decoder.decode(noise.bounds, from: &wire, format: .xrgb8888, into: &h.framebuffer)
        wire = ByteBuffer(bytes: [0x00] + Self.zlib(data))
        try h.decoder.decode(noise.bounds, from: &wire, format: .xrgb8888, into: &h.framebuffer)
        #expect(h.framebuffer == reversed)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix(seed: 77)
        var outcomes = (decoded: 0, needMoreData: 0, malformed: 0)
        for _ in 0..<800 {
            let format = TestImages.formats[Int(rng.next() % UInt64(TestImages.formats.count))]
            let rect = Rect(x: Int(rng.next() % 40), y: Int(rng.next() % 40), width: Int(rng.next() % 40), height: Int(rng.next() % 40))
            var bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if !bytes.isEmpty && rng.next() % 2 == 0 { bytes[0] = [0x80, 0x00, 0x40, 0x60, 0x90][Int(rng.next() % 5)] }
            var decoder = TightDecoder()
            var fb = PixelBuffer(width: 48, height: 48, fill: 0)
            var input = ByteBuffer(bytes: bytes)
            do {
                try decoder.decode(rect, from: &input, format: format, into: &fb)
                outcomes.decoded += 1
            } catch .needMoreData {
                outcomes.needMoreData += 1
                #expect(input.readerIndex == 0)
            } catch {
                outcomes.malformed += 1
            }
        }
        #expect(outcomes.decoded > 0 && outcomes.malformed > 0 && outcomes.needMoreData > 0, "\(outcomes)")
    }
}
