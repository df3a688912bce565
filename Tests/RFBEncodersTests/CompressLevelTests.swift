import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
import Testing

/// The viewer's CompressLevel pseudo-encoding (rfbproto "Compression Level Pseudo-encoding")
/// reaches ZRLE's zlib stream through `FramebufferUpdateEncoder`, in one lane and in several, and
/// a later SetEncodings changes it on the same stream: level 0 stores (more than twice the bytes
/// of level 1 on a desktop picture, whose tiles are already run-length and palette coded), 9
/// compresses better than 1. Each update still decodes exactly.
struct CompressLevelTests {
    static let size = Size(width: 320, height: 240)

    private static func encoder(level: Int, lanes: Int) -> FramebufferUpdateEncoder {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make,
                                               parallelism: UpdateParallelism(lanes: lanes, minimumPixels: 1))
        encoder.configure(preferences(level: level))
        return encoder
    }

    private static func preferences(level: Int) -> EncodingPreferences {
        EncodingPreferences(requested: [.zrle, Encoding(Encoding.compressLevel0.rawValue + Int32(level))],
                            supported: Set(EncoderRegistry.implemented))
    }

    /// Encodes a full update of `source`, checks that it decodes exactly, and returns its size.
    private static func fullUpdateBytes(_ encoder: inout FramebufferUpdateEncoder, _ viewer: inout UpdateViewer,
                                        _ source: PixelBuffer) throws -> Int {
        let message = source.withView { view in
            encoder.encodeUpdate(copies: [], damage: Region(source.bounds), frame: view,
                                 translator: PixelTranslator(format: .xrgb8888), lossyArea: nil)
        }
        let bytes = try #require(message)
        _ = try viewer.apply(bytes)
        #expect(viewer.framebuffer == source)
        return bytes.readableBytes
    }

    @Test(arguments: [1, 4])
    func levelChosenByTheViewerIsUsed(lanes: Int) throws {
        let source = TestImages.desktop(width: Self.size.width, height: Self.size.height)
        var sizes: [Int: Int] = [:]
        for level in [0, 1, 9] {
            var encoder = Self.encoder(level: level, lanes: lanes)
            var viewer = UpdateViewer(size: Self.size, format: .xrgb8888)
            #expect(encoder.compressLevel == level)
            sizes[level] = try Self.fullUpdateBytes(&encoder, &viewer, source)
        }
        #expect(sizes[1]! * 2 < sizes[0]!, "\(sizes)")
        #expect(sizes[9]! < sizes[1]!, "\(sizes)")
    }

    @Test(arguments: [1, 4])
    func levelChangedMidConnectionTakesEffect(lanes: Int) throws {
        let source = TestImages.desktop(width: Self.size.width, height: Self.size.height)
        var encoder = Self.encoder(level: 9, lanes: lanes)
        var viewer = UpdateViewer(size: Self.size, format: .xrgb8888)
        let compressed = try Self.fullUpdateBytes(&encoder, &viewer, source)
        encoder.configure(Self.preferences(level: 0))
        let stored = try Self.fullUpdateBytes(&encoder, &viewer, source)
        encoder.configure(Self.preferences(level: 9))
        let compressedAgain = try Self.fullUpdateBytes(&encoder, &viewer, source)
        #expect(compressed * 2 < stored && compressedAgain * 2 < stored, "levels 9, 0, 9: \(compressed), \(stored), \(compressedAgain) bytes")
    }
}
