/// An RFB pixel format (RFC 6143 §7.4): how a viewer wants pixel values laid out on the wire.
///
/// Porthole supports every true-colour format the spec allows: 8, 16 or 32 bits per pixel, any
/// shifts and maxima, either byte order, and colour-map mode at 8 bits per pixel, served through a
/// fixed map (`ColourMapStandIn`). Wider colour maps are refused (see `validate()`).
public struct PixelFormat: Hashable, Sendable, CustomStringConvertible {
    public var bitsPerPixel: UInt8
    public var depth: UInt8
    public var bigEndian: Bool
    public var trueColour: Bool
    public var redMax: UInt16
    public var greenMax: UInt16
    public var blueMax: UInt16
    public var redShift: UInt8
    public var greenShift: UInt8
    public var blueShift: UInt8

    public init(bitsPerPixel: UInt8, depth: UInt8, bigEndian: Bool, trueColour: Bool,
                redMax: UInt16, greenMax: UInt16, blueMax: UInt16,
                redShift: UInt8, greenShift: UInt8, blueShift: UInt8) {
        self.bitsPerPixel = bitsPerPixel; self.depth = depth; self.bigEndian = bigEndian
        self.trueColour = trueColour; self.redMax = redMax; self.greenMax = greenMax
        self.blueMax = blueMax; self.redShift = redShift; self.greenShift = greenShift
        self.blueShift = blueShift
    }

    /// Porthole's own framebuffer format: DRM XRGB8888, i.e. a little-endian `UInt32`
    /// `0x00RRGGBB`. Advertised in ServerInit, so viewers that keep it get a plain copy.
    public static let xrgb8888 = PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true,
                                             redMax: 255, greenMax: 255, blueMax: 255,
                                             redShift: 16, greenShift: 8, blueShift: 0)
    /// 16-bit RGB565, little-endian.
    public static let rgb565 = PixelFormat(bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: true,
                                           redMax: 31, greenMax: 63, blueMax: 31,
                                           redShift: 11, greenShift: 5, blueShift: 0)
    /// 8-bit BGR233 (TigerVNC's and vncviewer's "-depth 8"/"bgr233").
    public static let bgr233 = PixelFormat(bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true,
                                           redMax: 7, greenMax: 7, blueMax: 3,
                                           redShift: 0, greenShift: 3, blueShift: 6)

    public var bytesPerPixel: Int { Int(bitsPerPixel) / 8 }

    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case unsupportedBitsPerPixel(UInt8)
        case colourMapWiderThan8Bits(UInt8)
        case zeroMaximum
        case maximumNotAllOnes(UInt16)
        case componentOutsidePixel
        case badDepth(UInt8)

        public var description: String {
            switch self {
            case .unsupportedBitsPerPixel(let b): return "bits-per-pixel \(b) is not 8, 16 or 32"
            case .colourMapWiderThan8Bits(let bpp): return "colour maps of \(bpp) bits per pixel are not supported (8 are)"
            case .zeroMaximum: return "a colour maximum is zero"
            case .maximumNotAllOnes(let m): return "colour maximum \(m) is not 2^n - 1"
            case .componentOutsidePixel: return "a colour component's shift and maximum exceed the pixel size"
            case .badDepth(let d): return "depth \(d) is zero or larger than bits-per-pixel"
            }
        }
    }

    /// Checks the format against RFC 6143 §7.4: bits-per-pixel 8/16/32, maxima of the form 2^n - 1
    /// and every component inside the pixel. A colour map must be 8 bits per pixel; its maxima
    /// and shifts mean nothing (§7.4) and are not checked.
    public func validate() throws(ValidationError) {
        guard [8, 16, 32].contains(bitsPerPixel) else { throw .unsupportedBitsPerPixel(bitsPerPixel) }
        guard depth > 0 && depth <= bitsPerPixel else { throw .badDepth(depth) }
        guard trueColour else {
            guard bitsPerPixel == 8 else { throw .colourMapWiderThan8Bits(bitsPerPixel) }
            return
        }
        for (maxValue, shift) in [(redMax, redShift), (greenMax, greenShift), (blueMax, blueShift)] {
            guard maxValue > 0 else { throw .zeroMaximum }
            guard maxValue & (maxValue &+ 1) == 0 else { throw .maximumNotAllOnes(maxValue) }
            let bits = UInt16.bitWidth - maxValue.leadingZeroBitCount
            guard Int(shift) + bits <= Int(bitsPerPixel) else { throw .componentOutsidePixel }
        }
    }

    public var description: String {
        "\(bitsPerPixel)bpp depth \(depth) \(bigEndian ? "BE" : "LE") \(trueColour ? "true-colour" : "colour-map") " +
        "max \(redMax)/\(greenMax)/\(blueMax) shift \(redShift)/\(greenShift)/\(blueShift)"
    }
}
