import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
import Testing

/// Encode once: a second viewer's encoder takes the rectangles a first one left, and its update is
/// byte for byte what it would have encoded itself; stateful encodings never share.
struct EncodedRectangleSharingTests {
    /// A store that keeps everything, counting what it is asked.
    final class Store: EncodedRectangleSharing {
        var entries: [Rect: (bytes: ByteBuffer, count: Int)] = [:]
        var lookups = 0, hits = 0, shares = 0
        func encodedRectangle(_ rect: Rect) -> (bytes: ByteBuffer, count: Int)? {
            lookups += 1
            guard let entry = entries[rect] else { return nil }
            hits += 1
            return entry
        }
        func share(_ rect: Rect, bytes: ByteBuffer, count: Int) { shares += 1; entries[rect] = (bytes, count) }
    }

    private let frame = TestImages.desktop(width: 200, height: 150)
    // Far apart and in separate bands, so the update keeps them as three rectangles.
    private let damage = Region(rects: [Rect(x: 2, y: 3, width: 40, height: 30), Rect(x: 120, y: 40, width: 50, height: 20),
                                        Rect(x: 60, y: 100, width: 70, height: 40)])

    private func update(_ encoding: Encoding, format: PixelFormat = .xrgb8888, sharing: Store?) -> ByteBuffer? {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make)
        encoder.configure(EncodingPreferences(requested: [encoding], supported: Set(EncoderRegistry.implemented)))
        let translator = PixelTranslator(format: format)
        return frame.withView { encoder.encodeUpdate(copies: [], damage: damage, frame: $0, translator: translator, sharing: sharing) }
    }

    @Test(arguments: [Encoding.raw, .rre, .hextile], [PixelFormat.xrgb8888, .rgb565])
    func aSecondViewerTakesTheFirstOnesRectanglesUnchanged(encoding: Encoding, format: PixelFormat) throws {
        let store = Store()
        let first = try #require(update(encoding, format: format, sharing: store))
        #expect(store.shares == 3 && store.hits == 0)
        let second = try #require(update(encoding, format: format, sharing: store))
        #expect(store.hits == 3, "the second viewer encoded again")
        #expect(second == first)
        #expect(update(encoding, format: format, sharing: nil) == first, "sharing changed the bytes")
        // And the bytes are a correct update: decoded, they show the frame inside the damage.
        var bytes = second
        let type = bytes.readInteger(as: UInt8.self)
        #expect(type == 0, "not a FramebufferUpdate")
        bytes.moveReaderIndex(forwardBy: 1)
        let header = bytes.readInteger(as: UInt16.self)
        let count = try #require(header)
        var decoded = PixelBuffer(width: frame.width, height: frame.height, fill: RoundTrip.sentinel)
        try RoundTrip.decode(bytes, rectangles: Int(count), format: format, into: &decoded)
        let quantized = TestImages.quantized(frame, to: format)
        for r in damage.rects { #expect(decoded.cropped(to: r) == quantized.cropped(to: r)) }
    }

    @Test(arguments: [Encoding.zrle, .tight])
    func statefulEncodingsNeverShare(encoding: Encoding) throws {
        let store = Store()
        _ = try #require(update(encoding, sharing: store))
        _ = try #require(update(encoding, sharing: store))
        #expect(store.lookups == 0 && store.shares == 0)
    }
}
