import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
import Testing

/// `FramebufferUpdateEncoder` with a lossy area (the server passes one that leaves out the tiles it
/// refreshes): JPEG inside it only, exact pixels outside, and an exact refresh of the same tiles
/// once they are no longer in the lossy area. The encoder reports exactly the rectangles it wrote
/// as JPEG (`takeLossyAreas`), which is what the server refreshes. Viewers without a QualityLevel
/// never get JPEG.
struct LossyAreaTests {
    private let size = Size(width: 256, height: 192)
    private let hot = Region(Rect(x: 64, y: 64, width: 128, height: 64))

    private func encoder(quality: Int?, parallelism: UpdateParallelism = .allCores) -> FramebufferUpdateEncoder {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make, parallelism: parallelism)
        let requested = [Encoding.tight] + (quality.map { [Encoding(Encoding.qualityLevel0.rawValue + Int32($0))] } ?? [])
        encoder.configure(EncodingPreferences(requested: requested, supported: Set(EncoderRegistry.implemented)))
        return encoder
    }

    /// Encodes `damage` of `frame` and decodes it into `harness`; returns the rectangles.
    private func send(_ damage: Region, of frame: PixelBuffer, lossyArea: Region?, with encoder: inout FramebufferUpdateEncoder,
                      into harness: inout TightHarness) throws -> [TightRect] {
        let translator = PixelTranslator(format: .xrgb8888)
        let encoded = frame.withView { view in
            encoder.encodeUpdate(copies: [], damage: damage, frame: view, translator: translator, lossyArea: lossyArea)
        }
        var message = try #require(encoded)
        #expect(message.readInteger(as: UInt8.self) == 0)
        message.moveReaderIndex(forwardBy: 1)
        let count = Int(try #require(message.readInteger(as: UInt16.self) as UInt16?))
        return try harness.decode(message, count: count, format: .xrgb8888)
    }

    private func isJPEG(_ r: TightRect) -> Bool { r.control >> 4 == 9 }

    @Test(arguments: [1, 2, 4])
    func theReportedLossyAreasAreTheJPEGRectanglesInEveryLane(lanes: Int) throws {
        let frame = TestImages.photographic(width: 640, height: 480)
        var encoder = encoder(quality: 6, parallelism: UpdateParallelism(lanes: lanes, minimumPixels: 1))
        var harness = TightHarness(size: frame.size)
        let rects = try send(Region(frame.bounds), of: frame, lossyArea: nil, with: &encoder, into: &harness)
        let jpeg = rects.filter(isJPEG).map(\.rect)
        #expect(!jpeg.isEmpty)
        #expect(Set(encoder.takeLossyAreas()) == Set(jpeg))
    }

    @Test func hotTilesGoAsJPEGAndSettledOnesComeBackExact() throws {
        let frame = TestImages.photographic(width: size.width, height: size.height)
        var encoder = encoder(quality: 6)
        #expect(encoder.mayEncodeLossy)
        var harness = TightHarness(size: size)
        let everything = Region(frame.bounds)
        let first = try send(everything, of: frame, lossyArea: hot, with: &encoder, into: &harness)
        let lossy = first.filter(isJPEG)
        #expect(!lossy.isEmpty, "no JPEG in the hot area")
        #expect(lossy.allSatisfy { hot.contains($0.rect) }, "JPEG outside the hot area: \(lossy.map(\.rect))")
        #expect(encoder.takeLossyAreas() == lossy.map(\.rect), "the reported lossy areas are not the JPEG rectangles")
        #expect(encoder.takeLossyAreas().isEmpty, "taken twice")
        // A viewer that sent a QualityLevel never gets the gradient filter (noVNC lacks it).
        #expect(!first.contains { $0.filter == 2 }, "gradient filter for a viewer with a QualityLevel")
        // Outside the hot area the picture is exact; inside it is not (JPEG of a photograph).
        let outside = everything.subtracting(hot)
        #expect(outside.rects.allSatisfy { harness.framebuffer.cropped(to: $0) == frame.cropped(to: $0) })
        #expect(harness.framebuffer.cropped(to: hot.bounds) != frame.cropped(to: hot.bounds))
        // The refresh: the same tiles, no longer hot, come back exact.
        let refresh = try send(hot, of: frame, lossyArea: Region(), with: &encoder, into: &harness)
        #expect(!refresh.contains(where: isJPEG))
        #expect(!refresh.contains { $0.filter == 2 })
        #expect(harness.framebuffer == frame)
        #expect(encoder.takeLossyAreas().isEmpty, "a lossless refresh reported lossy areas")
    }

    @Test func withoutAQualityLevelNothingIsLossyEvenInTheLossyArea() throws {
        let frame = TestImages.photographic(width: size.width, height: size.height)
        var encoder = encoder(quality: nil)
        #expect(!encoder.mayEncodeLossy)
        var harness = TightHarness(size: size)
        let rects = try send(Region(frame.bounds), of: frame, lossyArea: hot, with: &encoder, into: &harness)
        #expect(!rects.contains(where: isJPEG))
        #expect(harness.framebuffer == frame)
    }

    @Test func withoutALossyAreaTheEncoderChoosesByContentAsBefore() throws {
        let frame = TestImages.photographic(width: size.width, height: size.height)
        var encoder = encoder(quality: 6)
        var harness = TightHarness(size: size)
        let rects = try send(Region(frame.bounds), of: frame, lossyArea: nil, with: &encoder, into: &harness)
        #expect(rects.contains(where: isJPEG))
        #expect(!hot.contains(rects.filter(isJPEG).reduce(Rect.zero) { $0.union($1.rect) }), "JPEG only where the area was")
    }
}
