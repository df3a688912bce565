import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBEncoders
import RFBClient
import PortholeTestSupport

/// The pictures the round-trip tests encode.
enum TestPicture: String, CaseIterable, Sendable, CustomStringConvertible {
    case random, desktop, photographic, solid, twoColour

    /// The pictures real screens resemble, used for the full format matrix.
    static let screenLike: [TestPicture] = [.random, .desktop, .photographic]

    func make(_ size: Size) -> PixelBuffer {
        switch self {
        case .random: return TestImages.random(width: size.width, height: size.height)
        case .desktop: return TestImages.desktop(width: size.width, height: size.height)
        case .photographic: return TestImages.photographic(width: size.width, height: size.height)
        case .solid: return PixelBuffer(width: size.width, height: size.height, fill: 0x00_3a6ea5)
        case .twoColour:
            // Text-like: dark strokes of irregular length on white, some touching tile borders.
            var rng = SplitMix(seed: 7)
            var b = PixelBuffer(width: size.width, height: size.height, fill: 0x00ff_ffff)
            for i in 0..<b.pixels.count where rng.next() % 5 == 0 { b.pixels[i] = 0x0010_2030 }
            return b
        }
    }

    var description: String { rawValue }
}

/// A frame size and the rect to encode in it.
struct EdgeCase: Sendable, CustomStringConvertible {
    var frame: Size
    var rect: Rect
    var description: String { "\(rect) in \(frame)" }

    /// Sizes at the edges of what encoders handle: single pixels, single rows and columns, sizes
    /// just off the 16-pixel tile grid, rects at non-zero origins crossing tile borders and
    /// touching the frame's far corner.
    static let all: [EdgeCase] = [
        EdgeCase(frame: Size(width: 1, height: 1), rect: Rect(x: 0, y: 0, width: 1, height: 1)),
        EdgeCase(frame: Size(width: 63, height: 65), rect: Rect(x: 0, y: 0, width: 63, height: 65)),
        EdgeCase(frame: Size(width: 4096, height: 1), rect: Rect(x: 0, y: 0, width: 4096, height: 1)),
        EdgeCase(frame: Size(width: 1, height: 300), rect: Rect(x: 0, y: 0, width: 1, height: 300)),
        EdgeCase(frame: Size(width: 100, height: 80), rect: Rect(x: 5, y: 7, width: 40, height: 33)),
        EdgeCase(frame: Size(width: 100, height: 80), rect: Rect(x: 16, y: 32, width: 16, height: 16)),
        EdgeCase(frame: Size(width: 100, height: 80), rect: Rect(x: 83, y: 61, width: 17, height: 19)),
        EdgeCase(frame: Size(width: 100, height: 80), rect: Rect(x: 99, y: 0, width: 1, height: 80)),
    ]
}

/// Encodes with any encoder, parses the 12-byte rectangle headers (RFC 6143 §7.6.1) and decodes
/// with the matching decoder, so tests compare pictures rather than bytes.
enum RoundTrip {
    /// What decode targets hold before decoding: outside the rect it must survive.
    static let sentinel: UInt32 = 0x00c0_ffee

    static func encode<E: FramebufferEncoder>(_ encoder: inout E, _ rect: Rect, of source: PixelBuffer,
                                              format: PixelFormat) -> (bytes: ByteBuffer, rectangles: Int) {
        let translator = PixelTranslator(format: format)
        var output = ByteBuffer()
        let count = source.withView { encoder.encode(rect, of: $0, translator: translator, into: &output) }
        return (output, count)
    }

    static func decoder(for encoding: Encoding) -> any RectangleDecoder {
        switch encoding {
        case .raw: return RawDecoder()
        case .copyRect: return CopyRectDecoder()
        case .rre: return RREDecoder()
        case .hextile: return HextileDecoder()
        default: fatalError("no test decoder for \(encoding)")
        }
    }

    /// A rectangle header parsed from the stream.
    struct Header {
        var rect: Rect
        var encoding: Encoding
    }

    static func readHeader(_ buffer: inout ByteBuffer) -> Header? {
        guard buffer.readableBytes >= 12,
              let x = buffer.readInteger(as: UInt16.self), let y = buffer.readInteger(as: UInt16.self),
              let w = buffer.readInteger(as: UInt16.self), let h = buffer.readInteger(as: UInt16.self),
              let e = buffer.readInteger(as: Int32.self) else { return nil }
        return Header(rect: Rect(x: Int(x), y: Int(y), width: Int(w), height: Int(h)), encoding: Encoding(e))
    }

    /// Decodes `rectangles` rectangles from `buffer`, which must then be empty; returns the headers.
    @discardableResult
    static func decode(_ buffer: ByteBuffer, rectangles: Int, format: PixelFormat,
                       into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) -> [Header] {
        var buffer = buffer
        var headers: [Header] = []
        for _ in 0..<rectangles {
            guard let header = readHeader(&buffer) else { throw .needMoreData }
            var decoder = decoder(for: header.encoding)
            try decoder.decode(header.rect, from: &buffer, format: format, into: &framebuffer)
            headers.append(header)
        }
        guard buffer.readableBytes == 0 else { throw .malformed("\(buffer.readableBytes) bytes left over") }
        return headers
    }

    /// What a viewer must show: the sentinel everywhere except `rect`, which holds the source as
    /// the format can represent it.
    static func expected(_ source: PixelBuffer, rect: Rect, format: PixelFormat) -> PixelBuffer {
        var out = PixelBuffer(width: source.width, height: source.height, fill: sentinel)
        out.blit(TestImages.quantized(source.cropped(to: rect), to: format), at: rect.origin)
        return out
    }

    /// Encodes `rect` of `source`, decodes it onto a sentinel-filled frame and checks the result
    /// pixel for pixel; returns the encoded bytes for further checks.
    @discardableResult
    static func check<E: FramebufferEncoder>(_ encoder: inout E, _ rect: Rect, of source: PixelBuffer,
                                             format: PixelFormat,
                                             sourceLocation: SourceLocation = #_sourceLocation) -> ByteBuffer {
        let (bytes, count) = encode(&encoder, rect, of: source, format: format)
        #expect(count >= 1, sourceLocation: sourceLocation)
        var decoded = PixelBuffer(width: source.width, height: source.height, fill: sentinel)
        do {
            let headers = try decode(bytes, rectangles: count, format: format, into: &decoded)
            #expect(headers.allSatisfy { $0.encoding == encoder.encoding }, sourceLocation: sourceLocation)
        } catch {
            Issue.record("decoding failed: \(error)", sourceLocation: sourceLocation)
            return bytes
        }
        let want = expected(source, rect: rect, format: format)
        if decoded != want {
            let firstBad = (0..<want.pixels.count).first { decoded.pixels[$0] != want.pixels[$0] }!
            let x = firstBad % want.width, y = firstBad / want.width
            Issue.record("""
                \(encoder.encoding) \(rect) in \(format): \(zip(decoded.pixels, want.pixels).filter { $0 != $1 }.count) \
                pixels differ, first at (\(x),\(y)): got 0x\(String(decoded.pixels[firstBad], radix: 16)) \
                want 0x\(String(want.pixels[firstBad], radix: 16))
                """, sourceLocation: sourceLocation)
        }
        return bytes
    }

    /// Feeds the payload of a single encoded rectangle (header stripped) to its decoder one byte at
    /// a time: every call before the last byte must throw `.needMoreData` and leave the buffer
    /// untouched; the last must succeed, consume everything and draw the expected picture.
    static func checkByteByByte(_ encoded: ByteBuffer, format: PixelFormat, frame: Size, expected: PixelBuffer,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        var encoded = encoded
        guard let header = readHeader(&encoded) else {
            Issue.record("no rectangle header", sourceLocation: sourceLocation)
            return
        }
        let payload = Array(encoded.readableBytesView)
        var decoder = decoder(for: header.encoding)
        var framebuffer = PixelBuffer(width: frame.width, height: frame.height, fill: sentinel)
        var fed = ByteBuffer()
        var completedAfter: Int? = nil
        for fedCount in 0...payload.count {
            if fedCount > 0 { fed.writeInteger(payload[fedCount - 1]) }
            do {
                try decoder.decode(header.rect, from: &fed, format: format, into: &framebuffer)
                completedAfter = fedCount
                break
            } catch .needMoreData {
                if fed.readerIndex != 0 || fed.readableBytes != fedCount {
                    Issue.record("needMoreData after \(fedCount) bytes moved the reader index", sourceLocation: sourceLocation)
                    return
                }
            } catch {
                Issue.record("after \(fedCount) bytes: \(error)", sourceLocation: sourceLocation)
                return
            }
        }
        #expect(completedAfter == payload.count, "completed after \(String(describing: completedAfter)) of \(payload.count) bytes", sourceLocation: sourceLocation)
        #expect(fed.readableBytes == 0, sourceLocation: sourceLocation)
        #expect(framebuffer == expected, sourceLocation: sourceLocation)
    }

    /// Decodes `payload` as the data of `rect` with a fresh decoder for `encoding`.
    static func decodePayload(_ payload: [UInt8], rect: Rect, encoding: Encoding, format: PixelFormat,
                              into framebuffer: inout PixelBuffer) -> (Result<Void, RectangleDecodingError>, ByteBuffer) {
        var buffer = ByteBuffer(bytes: payload)
        var decoder = decoder(for: encoding)
        do {
            try decoder.decode(rect, from: &buffer, format: format, into: &framebuffer)
            return (.success(()), buffer)
        } catch {
            return (.failure(error), buffer)
        }
    }

    /// The wire bytes of one pixel value in `format` (for building hand-made payloads).
    static func pixelBytes(_ canonical: UInt32, format: PixelFormat) -> [UInt8] {
        let translator = PixelTranslator(format: format)
        var bytes = [UInt8](repeating: 0, count: format.bytesPerPixel)
        bytes.withUnsafeMutableBytes { translator.store(translator.pixelValue(canonical), to: $0.baseAddress!) }
        return bytes
    }
}

extension Result where Success == Void {
    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
