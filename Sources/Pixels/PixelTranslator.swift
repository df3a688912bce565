/// Converts canonical XRGB8888 pixels into a viewer's `PixelFormat` (RFC 6143 §7.4).
///
/// Components are scaled from 8 bits to the format's maximum by rounding (`(c * max + 127) / 255`),
/// so a viewer decoding with `c8 = v * 255 / max` gets the closest representable value.
public struct PixelTranslator: Sendable {
    public let format: PixelFormat
    /// True when the format is XRGB8888 itself, so rows are copied as they are.
    public let isIdentity: Bool
    private let redTable: [UInt32]
    private let greenTable: [UInt32]
    private let blueTable: [UInt32]

    public init(format: PixelFormat) {
        self.format = format
        isIdentity = format == .xrgb8888
        func table(_ maxValue: UInt16, _ shift: UInt8) -> [UInt32] {
            (0..<256).map { c in (UInt32((c * Int(maxValue) + 127) / 255)) << UInt32(shift) }
        }
        redTable = table(format.redMax, format.redShift)
        greenTable = table(format.greenMax, format.greenShift)
        blueTable = table(format.blueMax, format.blueShift)
    }

    /// The pixel value (before byte ordering) for one canonical pixel.
    @inline(__always)
    public func pixelValue(_ rgb: UInt32) -> UInt32 {
        redTable[Int((rgb >> 16) & 0xff)] | greenTable[Int((rgb >> 8) & 0xff)] | blueTable[Int(rgb & 0xff)]
    }

    public var bytesPerPixel: Int { format.bytesPerPixel }

    /// Writes one pixel value in the format's size and byte order; returns the bytes written.
    @inline(__always)
    public func store(_ value: UInt32, to p: UnsafeMutableRawPointer) {
        switch format.bitsPerPixel {
        case 8:
            p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 16:
            let v = UInt16(truncatingIfNeeded: value)
            p.storeBytes(of: format.bigEndian ? v.bigEndian : v.littleEndian, toByteOffset: 0, as: UInt16.self)
        default:
            p.storeBytes(of: format.bigEndian ? value.bigEndian : value.littleEndian, toByteOffset: 0, as: UInt32.self)
        }
    }

    /// Converts `count` canonical pixels into `destination`, which must hold
    /// `count * bytesPerPixel` bytes.
    public func convert(_ source: UnsafePointer<UInt32>, count: Int, into destination: UnsafeMutableRawPointer) {
        if isIdentity {
            Self.copyClearingX(source, count: count, into: destination)
            return
        }
        let bpp = bytesPerPixel
        var d = destination
        for i in 0..<count {
            store(pixelValue(source[i]), to: d)
            d += bpp
        }
    }

    /// Copies `count` XRGB8888 pixels (native byte order) with the byte above red cleared, eight
    /// at a time: the identity translation, and every copy of pixels that may come from a
    /// producer's memory (the composer's, a lent scanout's, the X11 mirror's). Producers leave
    /// whatever they like in that byte, and neither the wire nor a picture may depend on it.
    @inline(__always)
    public static func copyClearingX(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer) {
        var i = 0
        let mask = SIMD8<UInt32>(repeating: 0x00ff_ffff)
        while i + 8 <= count {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self) & mask, toByteOffset: i * 4,
                                   as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self) & 0x00ff_ffff, toByteOffset: i * 4,
                                   as: UInt32.self)
            i += 1
        }
    }

    /// The canonical XRGB8888 colour a viewer would display for a wire pixel value: the inverse of
    /// `pixelValue` up to the format's precision.
    public static func canonical(fromPixelValue value: UInt32, format: PixelFormat) -> UInt32 {
        func component(_ maxValue: UInt16, _ shift: UInt8) -> UInt32 {
            let m = UInt32(maxValue)
            let c = (value >> UInt32(shift)) & m
            return (c * 255 + m / 2) / m
        }
        return component(format.redMax, format.redShift) << 16
            | component(format.greenMax, format.greenShift) << 8
            | component(format.blueMax, format.blueShift)
    }

    /// Reads one pixel value of the format from `p` (size and byte order).
    @inline(__always)
    public static func load(from p: UnsafeRawPointer, format: PixelFormat) -> UInt32 {
        switch format.bitsPerPixel {
        case 8: return UInt32(p.load(as: UInt8.self))
        case 16:
            let v = p.loadUnaligned(as: UInt16.self)
            return UInt32(format.bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v))
        default:
            let v = p.loadUnaligned(as: UInt32.self)
            return format.bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
        }
    }
}
