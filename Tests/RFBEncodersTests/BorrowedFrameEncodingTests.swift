import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
import Testing

/// Every encoder sends the same bytes for a frame lent by a producer (rows further apart than the
/// frame is wide, the X byte set) as for the same frame in a buffer of Porthole's own: encoders
/// read rows by their stride and ignore the X byte (zero-copy scanout, docs/architecture.md).
struct BorrowedFrameEncodingTests {
    final class Lender {
        let memory: UnsafeMutablePointer<UInt32>
        init(_ picture: PixelBuffer, stride: Int) {
            memory = .allocate(capacity: stride * picture.height)
            memory.initialize(repeating: 0x7777_7777, count: stride * picture.height)
            for y in 0..<picture.height {
                for x in 0..<picture.width { memory[y * stride + x] = picture[x, y] | UInt32(truncatingIfNeeded: x &* 37 &+ y) << 24 }
            }
        }
        deinit { memory.deallocate() }
    }

    static func bytes(_ encoding: Encoding, _ frame: PixelBuffer, damage: Region, format: PixelFormat, quality: Bool) throws -> [UInt8] {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make, parallelism: UpdateParallelism(lanes: 1, minimumPixels: .max))
        let requested: [Encoding] = quality ? [encoding, Encoding(Encoding.qualityLevel0.rawValue + 7)] : [encoding]
        encoder.configure(EncodingPreferences(requested: requested, supported: Set(EncoderRegistry.implemented)))
        let translator = PixelTranslator(format: format)
        var message = try #require(frame.withView { view in
            encoder.encodeUpdate(copies: [], damage: damage, frame: view, translator: translator)
        })
        return message.readBytes(length: message.readableBytes) ?? []
    }

    @Test(arguments: [Encoding.raw, .rre, .hextile, .zrle, .tight])
    func aLentFrameEncodesLikeAnOwnedOne(encoding: Encoding) throws {
        let size = Size(width: 150, height: 90)
        var owned = TestImages.desktop(width: size.width, height: size.height)
        owned.blit(TestImages.photographic(width: 60, height: 40), at: Point(x: 70, y: 30))
        let stride = size.width + 13
        let lender = Lender(owned, stride: stride)
        let lent = PixelBuffer(width: size.width, height: size.height,
                               borrowing: BorrowedPixels(base: lender.memory, stride: stride, owner: lender))
        let damage = Region(rects: [Rect(x: 0, y: 0, width: 150, height: 20), Rect(x: 40, y: 25, width: 100, height: 60)])
        for format in [PixelFormat.xrgb8888, .rgb565] {
            for quality in encoding == .tight ? [false, true] : [false] {
                let fromOwned = try Self.bytes(encoding, owned, damage: damage, format: format, quality: quality)
                let fromLent = try Self.bytes(encoding, lent, damage: damage, format: format, quality: quality)
                #expect(fromOwned.count > 16)
                let firstDifference = fromLent.indices.first { $0 < fromOwned.count && fromLent[$0] != fromOwned[$0] } ?? (fromLent.count == fromOwned.count ? nil : min(fromLent.count, fromOwned.count))
                #expect(firstDifference == nil, "\(encoding) \(format) quality \(quality): \(fromLent.count) vs \(fromOwned.count) bytes")
            }
        }
    }
}
