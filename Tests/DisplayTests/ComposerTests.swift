import Testing
import Geometry
import Pixels
@testable import Display

/// Composition, pixel by pixel against hand-computed values.
struct ComposerTests {
    func layer(_ plane: UInt32, _ framebuffer: Framebuffer, type: PlaneType = .overlay, at origin: Point = .zero,
               size: Size? = nil, source: SourceRect? = nil, z: Int = 0, alpha: UInt16 = 0xffff) -> ComposerLayer {
        let source = source ?? SourceRect(Rect(x: 0, y: 0, width: framebuffer.width, height: framebuffer.height))
        let destination = Rect(origin: origin, size: size ?? Size(width: framebuffer.width, height: framebuffer.height))
        return ComposerLayer(plane: PlaneID(plane), type: type, framebuffer: framebuffer,
                             state: PlaneState(framebuffer: framebuffer.id, source: source, destination: destination, zPosition: z, alpha: alpha))
    }

    func picture(_ size: Size, _ layers: [ComposerLayer], cursor: Bool = false) -> PixelBuffer {
        var composer = Composer(includesCursorPlane: cursor)
        let damage = composer.compose(size: size, layers: layers, planeDamage: [:])
        #expect(damage == .full(Rect(size: size)))
        return composer.scanout
    }

    /// Raw little-endian bytes of one 2x1 framebuffer per format, and what they must read as.
    static let formatRows: [(FourCC, [UInt8], [UInt32])] = [
        (.xrgb8888, [0x33, 0x22, 0x11, 0xaa, 0x01, 0x02, 0x03, 0x00], [0x11_2233, 0x03_0201]),
        (.argb8888, [0x33, 0x22, 0x11, 0xff, 0x01, 0x02, 0x03, 0x00], [0x11_2233, 0x00_0000]),
        (.xbgr8888, [0x11, 0x22, 0x33, 0xaa, 0x01, 0x02, 0x03, 0x00], [0x11_2233, 0x01_0203]),
        (.abgr8888, [0x11, 0x22, 0x33, 0xff, 0x01, 0x02, 0x03, 0x00], [0x11_2233, 0x00_0000]),
        // RGB565: pure red, and r=16 g=32 b=16, whose expansion replicates the top bits.
        (.rgb565, [0x00, 0xf8, 0x10, 0x84], [0xff_0000, 0x84_8284]),
    ]

    @Test(arguments: 0..<formatRows.count) func eachFormatReadsPixelExactly(_ index: Int) throws {
        let (format, bytes, expected) = Self.formatRows[index]
        let framebuffer = try Framebuffer(id: FramebufferID(1), descriptor: FramebufferDescriptor(format: format, width: 2, height: 1),
                                          memory: ByteArrayMemory(bytes: bytes))
        #expect(picture(Size(width: 2, height: 1), [layer(1, framebuffer, type: .primary)]).pixels == expected)
    }

    @Test func rgb565ExpandsFullScaleToFullScale() {
        #expect(PixelConversion.expand565(0xffff) == 0xffff_ffff)
        #expect(PixelConversion.expand565(0x07e0) == 0xff00_ff00)
        #expect(PixelConversion.expand565(0x001f) == 0xff00_00ff)
        #expect(PixelConversion.expand565(0) == 0xff00_0000)
    }

    @Test func strideAndOffsetAreHonoured() {
        let (framebuffer, _) = makeFramebuffer(1, format: .xbgr8888, width: 2, height: 2, pixels: [1, 2, 3, 4], padding: 12, offset: 20)
        #expect(picture(Size(width: 2, height: 2), [layer(1, framebuffer, type: .primary)]).pixels == [1, 2, 3, 4])
    }

    @Test func straightAlphaBlendsOverTheLayerBelow() {
        let (blue, _) = makeFramebuffer(1, format: .xrgb8888, width: 1, height: 1, pixels: [0x0000_00ff])
        let (red, _) = makeFramebuffer(2, format: .argb8888, width: 1, height: 1, pixels: [0x80ff_0000])
        let (redBGR, _) = makeFramebuffer(3, format: .abgr8888, width: 1, height: 1, pixels: [0x80ff_0000])
        // a = 0x80 * 257 = 32896 of 65535: red 255 * a / 65535 = 128.5 -> 128 (0x80), blue 255 * (1 - a) = 127.5 -> 127 (0x7f).
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary), layer(2, red)]).pixels == [0x80_007f])
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary), layer(3, redBGR)]).pixels == [0x80_007f])
    }

    @Test func planeAlphaMultipliesPixelAlpha() {
        let (blue, _) = makeFramebuffer(1, format: .xrgb8888, width: 1, height: 1, pixels: [0x0000_00ff])
        let (opaqueRed, _) = makeFramebuffer(2, format: .xrgb8888, width: 1, height: 1, pixels: [0x00ff_0000])
        let (halfRed, _) = makeFramebuffer(3, format: .argb8888, width: 1, height: 1, pixels: [0x80ff_0000])
        // Plane alpha 0x4000 = 16384: red 255 * 16384 / 65535 = 63.75 -> 64 (0x40), blue 191.25 -> 191 (0xbf).
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary), layer(2, opaqueRed, alpha: 0x4000)]).pixels == [0x40_00bf])
        // 0x80 pixel alpha x 0x8000 plane alpha = 16448.5 -> 16448: red 64.0 (0x40), blue 191.0 (0xbf).
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary), layer(3, halfRed, alpha: 0x8000)]).pixels == [0x40_00bf])
        // Plane alpha 0 hides the plane; a transparent primary shows the black background.
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary), layer(2, opaqueRed, alpha: 0)]).pixels == [0x00_00ff])
        #expect(picture(Size(width: 1, height: 1), [layer(1, blue, type: .primary, alpha: 0)]).pixels == [0])
    }

    @Test func layersStackPrimaryOverlaysByZThenCursor() {
        func solid(_ id: UInt32, _ colour: UInt32) -> Framebuffer { makeFramebuffer(id, format: .xrgb8888, width: 1, height: 1, pixels: [colour]).0 }
        let one = Size(width: 1, height: 1)
        // The primary stays at the bottom whatever its z-position; the higher overlay wins.
        #expect(picture(one, [layer(3, solid(3, 3), z: 2), layer(2, solid(2, 2), z: 1), layer(1, solid(1, 1), type: .primary, z: 9)]).pixels == [3])
        #expect(picture(one, [layer(3, solid(3, 3), z: 1), layer(2, solid(2, 2), z: 2), layer(1, solid(1, 1), type: .primary)]).pixels == [2])
        // The cursor is on top when composed, and left out by default.
        let layers = [layer(1, solid(1, 1), type: .primary), layer(4, solid(4, 4), type: .cursor), layer(2, solid(2, 2), z: 255)]
        #expect(picture(one, layers, cursor: true).pixels == [4])
        #expect(picture(one, layers).pixels == [2])
    }

    @Test func scalingTwiceUp() {
        let (small, _) = makeFramebuffer(1, format: .xrgb8888, width: 2, height: 2, pixels: [1, 2, 3, 4])
        #expect(picture(Size(width: 4, height: 4), [layer(1, small, type: .primary, size: Size(width: 4, height: 4))]).pixels
                == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    @Test func scalingHalfDownTakesThePixelUnderEachCentre() {
        let (big, _) = makeFramebuffer(1, format: .xrgb8888, width: 4, height: 4, pixels: Array(0..<16))
        // Destination pixel d samples source (2d + 1): pixels 1, 3 of rows 1, 3.
        #expect(picture(Size(width: 2, height: 2), [layer(1, big, type: .primary, size: Size(width: 2, height: 2))]).pixels == [5, 7, 13, 15])
    }

    @Test func nonIntegerScalingAndSubpixelSource() {
        let (row, _) = makeFramebuffer(1, format: .xrgb8888, width: 3, height: 1, pixels: [10, 11, 12])
        // 3 -> 2: centres at 0.75 and 2.25.  2 -> 3: centres at 1/3, 1, 5/3.
        #expect(picture(Size(width: 2, height: 1), [layer(1, row, type: .primary, size: Size(width: 2, height: 1))]).pixels == [10, 12])
        #expect(picture(Size(width: 3, height: 1), [layer(1, row, type: .primary, size: Size(width: 3, height: 1),
                                                          source: SourceRect(Rect(x: 0, y: 0, width: 2, height: 1)))]).pixels == [10, 11, 11])
        // Source starting half a pixel in, 2 wide, shown 2 wide: centres at 1.0 and 2.0.
        #expect(picture(Size(width: 2, height: 1), [layer(1, row, type: .primary, size: Size(width: 2, height: 1),
                                                          source: SourceRect(fixedX: 1 << 15, y: 0, width: 2 << 16, height: 1 << 16))]).pixels == [11, 12])
    }

    @Test func destinationsAreClippedToTheOutput() {
        let (square, _) = makeFramebuffer(1, format: .xrgb8888, width: 2, height: 2, pixels: [1, 2, 3, 4])
        #expect(picture(Size(width: 3, height: 2), [layer(1, square, type: .primary, at: Point(x: -1, y: 1))]).pixels == [0, 0, 0, 2, 0, 0])
    }

    @Test func theCursorPlaneIsExportedAsAnImageAndPosition() {
        let (arrow, _) = makeFramebuffer(1, format: .argb8888, width: 2, height: 1, pixels: [0xff11_2233, 0x8044_5566])
        var cursor = layer(9, arrow, type: .cursor, at: Point(x: 10, y: 20), size: Size(width: 4, height: 1), alpha: 0x8000)
        cursor.state.hotspot = Point(x: 1, y: 0)
        let exported = ExportedCursor(layers: [cursor])
        // Scaled like the plane; alpha 0xff x 0x8000 -> 0x80, 0x80 x 0x8000 -> 0x40.
        #expect(exported == ExportedCursor(image: CursorImage(width: 4, height: 1, hotspot: Point(x: 1, y: 0),
                                                              argb: [0x8011_2233, 0x8011_2233, 0x4044_5566, 0x4044_5566]),
                                           position: Point(x: 11, y: 20)))
        #expect(exported?.image.footprint(at: exported!.position) == Rect(x: 10, y: 20, width: 4, height: 1))
        #expect(ExportedCursor(layers: [layer(1, arrow, type: .primary)]) == nil)
    }

    @Test func aDeviceOutputComposesFromItsScanoutLayers() throws {
        var rig = Rig()
        let memory = TestMemory(byteCount: 8 * 6 * 4)
        for i in 0..<48 { store(UInt32(i), format: .xrgb8888, in: memory, at: i * 4) }
        let fb = rig.addFramebufferA(memory: memory)
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        var composer = Composer()
        _ = composer.compose(size: Rig.size, layers: rig.device.scanoutLayers(of: rig.outputA.id), planeDamage: tick.planeDamage)
        #expect(composer.scanout.pixels == (0..<48).map { UInt32($0) })

        // The producer draws into a 2x1 area and says so: only that is redrawn.
        store(0xabcdef, format: .xrgb8888, in: memory, at: (1 * 8 + 2) * 4)
        store(0x123456, format: .xrgb8888, in: memory, at: (1 * 8 + 3) * 4)
        _ = try rig.device.commit(rig.showOnA(fb, damage: [Rect(x: 2, y: 1, width: 2, height: 1)]), by: rig.producerA)
        let next = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        let damage = composer.compose(size: Rig.size, layers: rig.device.scanoutLayers(of: rig.outputA.id), planeDamage: next.planeDamage)
        #expect(damage == FrameDamage(region: Region(Rect(x: 2, y: 1, width: 2, height: 1))))
        #expect(composer.scanout[2, 1] == 0xabcdef && composer.scanout[3, 1] == 0x123456)
    }
}
