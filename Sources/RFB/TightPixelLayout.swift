import Pixels

/// How Tight lays out a pixel for one viewer format (rfbproto "Tight Encoding", TPIXEL): the one
/// rule both the encoder and the decoder follow.
///
/// A TPIXEL is the format's PIXEL, except for 32 bpp true colour of depth 24 with all three maxima
/// 255: then it is 3 bytes, red, green, blue, whatever the shifts and byte order. The gradient
/// filter predicts per component, so the layout also says where the components sit in a value.
public struct TightPixelLayout: Sendable {
    /// Bytes per TPIXEL: 3 in the RGB888 case, else bits-per-pixel / 8.
    public let size: Int
    /// The 3-byte TPIXEL case, whose values are canonical `0x00RRGGBB`.
    public let isRGB888: Bool
    /// Where red, green and blue sit in a value, and their maxima.
    public let shifts: (UInt32, UInt32, UInt32)
    public let maxima: (UInt32, UInt32, UInt32)

    public init(format: PixelFormat) {
        isRGB888 = Self.usesThreeByteTPixel(format)
        size = isRGB888 ? 3 : format.bytesPerPixel
        if isRGB888 {
            shifts = (16, 8, 0)
            maxima = (255, 255, 255)
        } else {
            shifts = (UInt32(format.redShift), UInt32(format.greenShift), UInt32(format.blueShift))
            maxima = (UInt32(format.redMax), UInt32(format.greenMax), UInt32(format.blueMax))
        }
    }

    /// The spec's TPIXEL rule: true colour, 32 bpp, depth 24, every component exactly 8 bits wide.
    public static func usesThreeByteTPixel(_ format: PixelFormat) -> Bool {
        format.trueColour && format.bitsPerPixel == 32 && format.depth == 24
            && format.redMax == 255 && format.greenMax == 255 && format.blueMax == 255
    }
}
