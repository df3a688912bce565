import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
import Testing

/// Updates encoded in lanes on several cores (`UpdateParallelism`) decode pixel-exact with the
/// client's own decoders, across runs that mix serial and parallel updates on one connection, so
/// ZRLE's split stream and Tight's per-lane streams stay in step with the viewer's inflaters.
struct ParallelUpdateTests {
    static let encodings: [Encoding] = [.zrle, .tight, .hextile, .rre, .raw]

    /// A viewer's encoder for `encoding`; updates of at least `minimumPixels` go to `lanes` lanes.
    static func encoder(_ encoding: Encoding, lanes: Int, minimumPixels: Int, extra: [Encoding] = []) -> FramebufferUpdateEncoder {
        var encoder = FramebufferUpdateEncoder(makeEncoder: EncoderRegistry.make,
                                               parallelism: UpdateParallelism(lanes: lanes, minimumPixels: minimumPixels))
        encoder.configure(EncodingPreferences(requested: [encoding] + extra, supported: Set(EncoderRegistry.implemented)))
        return encoder
    }

    static func update(_ encoder: inout FramebufferUpdateEncoder, _ damage: Region, of source: PixelBuffer, format: PixelFormat,
                       lossyArea: Region? = nil) throws -> ByteBuffer {
        let translator = PixelTranslator(format: format)
        let message = source.withView { view in
            encoder.encodeUpdate(copies: [], damage: damage, frame: view, translator: translator, lossyArea: lossyArea)
        }
        return try #require(message)
    }

    /// Basic-compression streams named by Tight control bytes (rfbproto: bits 4-5; fill and JPEG
    /// have bit 7 set).
    static func tightStreams(_ received: [UpdateViewer.Received]) -> Set<UInt8> {
        Set(received.compactMap { $0.firstByte }.filter { $0 & 0x80 == 0 }.map { $0 >> 4 & 3 })
    }

    @Test(arguments: encodings, [1, 2, 3, 4])
    func serialAndParallelUpdatesInOneConnection(encoding: Encoding, lanes: Int) throws {
        let size = Size(width: 320, height: 240)
        for format in [PixelFormat.xrgb8888, .rgb565] {
            var source = TestImages.desktop(width: size.width, height: size.height)
            var encoder = Self.encoder(encoding, lanes: lanes, minimumPixels: 20_000)
            var viewer = UpdateViewer(size: size, format: format)
            let noise = TestImages.random(width: size.width, height: size.height, seed: 11)
            let photo = TestImages.photographic(width: size.width, height: size.height)
            // (damage, what changes): full frames and large rects go parallel, small rects serial.
            let steps: [(Region, PixelBuffer?)] = [
                (Region(source.bounds), nil),
                (Region(Rect(x: 10, y: 20, width: 40, height: 30)), noise),
                (Region(source.bounds), noise),
                (Region(rects: [Rect(x: 0, y: 0, width: 200, height: 70), Rect(x: 100, y: 120, width: 220, height: 110)]), photo),
                (Region(Rect(x: 250, y: 5, width: 70, height: 60)), TestImages.desktop(width: size.width, height: size.height, seed: 9)),
                (Region(source.bounds), photo),
                (Region(Rect(x: 0, y: 200, width: 320, height: 40)), noise),
                (Region(source.bounds), TestImages.desktop(width: size.width, height: size.height, seed: 5)),
            ]
            for (step, (damage, picture)) in steps.enumerated() {
                if let picture { for rect in damage.rects { source.blit(picture.cropped(to: rect), at: rect.origin) } }
                let message = try Self.update(&encoder, damage, of: source, format: format)
                let received = try viewer.apply(message)
                #expect(viewer.framebuffer == TestImages.quantized(source, to: format),
                        "\(encoding), \(lanes) lanes, \(format), step \(step): the viewer's picture differs")
                let parallel = lanes > 1 && damage.area >= 20_000
                if damage == Region(source.bounds) && encoding != .tight {
                    // One rect for the whole frame unless it was cut into lanes.
                    #expect(received.count == (parallel ? lanes : 1), "\(encoding) step \(step): \(received.count) rectangles")
                }
                if encoding == .tight && picture == noise && damage == Region(source.bounds) {
                    // Noise goes through the copy filter on stream 0, and on lane i's stream i.
                    #expect(Self.tightStreams(received) == Set((0..<lanes).map(UInt8.init)), "streams \(Self.tightStreams(received))")
                }
            }
        }
    }

    /// Small frames with every update parallel, each rectangle's payload fed to the decoder one
    /// byte at a time.
    @Test(arguments: [Encoding.zrle, .tight, .hextile, .rre, .raw])
    func byteByByte(encoding: Encoding) throws {
        let size = Size(width: 72, height: 50)
        var source = TestImages.desktop(width: size.width, height: size.height)
        var encoder = Self.encoder(encoding, lanes: 3, minimumPixels: 1)
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        for step in 0..<4 {
            if step > 0 {
                let patch = TestImages.random(width: 30, height: 20, seed: UInt64(step))
                source.blit(patch, at: Point(x: step * 11, y: step * 7))
            }
            let message = try Self.update(&encoder, Region(source.bounds), of: source, format: .xrgb8888)
            _ = try viewer.apply(message, byteByByte: true)
            #expect(viewer.framebuffer == source, "\(encoding) step \(step)")
        }
    }

    /// Frames at the edges of the lane split: a single row, a single column, sizes off the tile
    /// grids, more lanes than tile rows.
    @Test(arguments: encodings)
    func edgeSizes(encoding: Encoding) throws {
        let sizes = [Size(width: 1, height: 1), Size(width: 4096, height: 1), Size(width: 1, height: 300), Size(width: 63, height: 65),
                     Size(width: 130, height: 129), Size(width: 2100, height: 70)]
        for size in sizes {
            for lanes in [2, 4] {
                let source = TestImages.photographic(width: size.width, height: size.height)
                var encoder = Self.encoder(encoding, lanes: lanes, minimumPixels: 1)
                var viewer = UpdateViewer(size: size, format: .rgb565)
                for rect in [Rect(size: size), Rect(x: 0, y: size.height / 3, width: size.width, height: size.height - size.height / 3)]
                where !rect.isEmpty {
                    _ = try viewer.apply(try Self.update(&encoder, Region(rect), of: source, format: .rgb565))
                }
                #expect(viewer.framebuffer == TestImages.quantized(source, to: .rgb565), "\(encoding) \(size) \(lanes) lanes")
            }
        }
    }

    /// Tight with a QualityLevel: the lossy area goes to JPEG in whichever lane it falls, the rest
    /// stays exact, and a lossless refresh afterwards restores every pixel.
    @Test(arguments: [2, 4])
    func tightWithJPEG(lanes: Int) throws {
        let size = Size(width: 320, height: 256)
        var source = TestImages.desktop(width: size.width, height: size.height)
        source.blit(TestImages.photographic(width: 320, height: 128), at: Point(x: 0, y: 128))
        var encoder = Self.encoder(.tight, lanes: lanes, minimumPixels: 20_000, extra: [Encoding(Encoding.qualityLevel0.rawValue + 6)])
        var viewer = UpdateViewer(size: size, format: .xrgb8888)
        let lossy = Region(Rect(x: 0, y: 128, width: 320, height: 128))
        _ = try viewer.apply(try Self.update(&encoder, Region(source.bounds), of: source, format: .xrgb8888, lossyArea: lossy))
        #expect(encoder.jpegRectangles > 0)
        let exact = Rect(x: 0, y: 0, width: 320, height: 128)
        #expect(viewer.framebuffer.cropped(to: exact) == source.cropped(to: exact))
        #expect(viewer.framebuffer.cropped(to: lossy.bounds) != source.cropped(to: lossy.bounds), "JPEG left the photo exact")
        _ = try viewer.apply(try Self.update(&encoder, Region(source.bounds), of: source, format: .xrgb8888, lossyArea: Region()))
        #expect(viewer.framebuffer == source)
    }

    /// A Tight or ZRLE connection's first update may be parallel: the zlib header comes first. Tight at
    /// CompressLevel 3 mixes zlib levels 3 and 5 on one lane's stream (deflateParams across strategies).
    @Test(arguments: [Encoding.zrle, .tight])
    func firstUpdateParallelAtEveryCompressLevel(encoding: Encoding) throws {
        for level in [0, 1, 3, 4, 6, 9] {
            let size = Size(width: 200, height: 130)
            let source = TestImages.desktop(width: size.width, height: size.height)
            var encoder = Self.encoder(encoding, lanes: 4, minimumPixels: 1, extra: [Encoding(Encoding.compressLevel0.rawValue + Int32(level))])
            var viewer = UpdateViewer(size: size, format: .xrgb8888)
            for _ in 0..<2 { _ = try viewer.apply(try Self.update(&encoder, Region(source.bounds), of: source, format: .xrgb8888)) }
            #expect(viewer.framebuffer == source, "\(encoding) level \(level)")
        }
    }
}
