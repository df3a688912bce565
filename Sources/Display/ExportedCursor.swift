import Geometry

/// The cursor plane as a pointer image and position, for RFB's Cursor pseudo-encodings: the
/// viewer draws it locally, so pointer motion costs no picture updates.
public struct ExportedCursor: Equatable, Sendable {
    /// At the cursor plane's destination size (scaled like the plane), straight alpha with the
    /// plane alpha multiplied in.
    public var image: CursorImage
    /// Where the hotspot is on the output: the destination's top-left plus the plane's hotspot.
    public var position: Point

    public init(image: CursorImage, position: Point) { self.image = image; self.position = position }

    /// The cursor of an output's layers, or `nil` when its cursor plane shows nothing (or is
    /// larger than `maximumSize` in either dimension, which the device never lets happen).
    public init?(layers: [ComposerLayer], maximumSize: Int = DeviceLimits().maximumCursorSize) {
        guard let layer = layers.first(where: { $0.type == .cursor }) else { return nil }
        let framebuffer = layer.framebuffer, state = layer.state, size = state.destination.size
        guard size.width > 0, size.height > 0, size.width <= maximumSize, size.height <= maximumSize,
              framebuffer.memory.byteCount >= framebuffer.descriptor.requiredByteCount,
              state.source.isInside(width: framebuffer.width, height: framebuffer.height), !state.source.isEmpty else { return nil }
        let (xs, ys) = Composer.samplings(ComposerLayer(plane: layer.plane, type: layer.type, framebuffer: framebuffer,
                                                        state: PlaneState(framebuffer: framebuffer.id, source: state.source,
                                                                          destination: Rect(size: size))))
        let bpp = framebuffer.format.bytesPerPixel
        var pixels: [UInt32] = []
        pixels.reserveCapacity(size.area)
        framebuffer.memory.withUnsafeBytes { bytes in
            for y in 0..<size.height {
                let rowStart = framebuffer.descriptor.offset + ys.sourcePixel(at: y) * framebuffer.descriptor.stride
                for x in 0..<size.width {
                    let argb = PixelConversion.argb(framebuffer.format, bytes, at: rowStart + xs.sourcePixel(at: x) * bpp)
                    let alpha = (PixelConversion.combinedAlpha(argb, planeAlpha: state.alpha) + 128) / 257
                    pixels.append(alpha << 24 | argb & 0x00ff_ffff)
                }
            }
        }
        image = CursorImage(width: size.width, height: size.height, hotspot: state.hotspot, argb: pixels)
        position = Point(x: state.destination.x + state.hotspot.x, y: state.destination.y + state.hotspot.y)
    }
}
