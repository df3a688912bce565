import Pixels

/// How a pixel value is written as a CPIXEL (RFC 6143 §7.7.6).
///
/// The spec shortens a 32 bpp true-colour pixel of depth <= 24 to 3 bytes when all colour bits
/// fit in the least significant or in the most significant three bytes of the value; the CPIXEL
/// is those three bytes, in the format's byte order. When both fit (a depth of at most 16 bits in
/// the middle bytes), the three bytes that come first on the wire win: the least significant for
/// little-endian, the most significant for big-endian. That is how libvncserver and TigerVNC
/// choose between their "24A" (first three bytes) and "24B" (last three) variants, so this agrees
/// with both. Encoder and decoder share this one definition.
public struct ZRLECompactPixel: Equatable, Sendable {
    /// Bytes per CPIXEL: 1, 2, 3 or 4.
    public let size: Int
    public let bigEndian: Bool
    /// For 3-byte CPIXELs: 0 when the least significant bytes are kept, 8 for the most significant.
    public let shift: UInt32

    public init(format: PixelFormat) {
        bigEndian = format.bigEndian
        let maxPixel = UInt64(format.redMax) << UInt64(format.redShift)
            | UInt64(format.greenMax) << UInt64(format.greenShift)
            | UInt64(format.blueMax) << UInt64(format.blueShift)
        let fitsLow = maxPixel < 1 << 24
        let fitsHigh = maxPixel & 0xff == 0 && maxPixel < 1 << 32
        if format.bitsPerPixel == 32 && format.trueColour && format.depth <= 24 && (fitsLow || fitsHigh) {
            size = 3
            let keepHigh = format.bigEndian ? fitsHigh : !fitsLow
            shift = keepHigh ? 8 : 0
        } else {
            size = format.bytesPerPixel
            shift = 0
        }
    }

    /// Writes `value` as a CPIXEL at `p`.
    @inline(__always)
    public func store(_ value: UInt32, to p: UnsafeMutablePointer<UInt8>) {
        switch size {
        case 1:
            p[0] = UInt8(truncatingIfNeeded: value)
        case 2:
            let v = UInt16(truncatingIfNeeded: value)
            UnsafeMutableRawPointer(p).storeBytes(of: bigEndian ? v.bigEndian : v.littleEndian, as: UInt16.self)
        case 3:
            let v = value >> shift
            if bigEndian {
                p[0] = UInt8(truncatingIfNeeded: v >> 16)
                p[1] = UInt8(truncatingIfNeeded: v >> 8)
                p[2] = UInt8(truncatingIfNeeded: v)
            } else {
                p[0] = UInt8(truncatingIfNeeded: v)
                p[1] = UInt8(truncatingIfNeeded: v >> 8)
                p[2] = UInt8(truncatingIfNeeded: v >> 16)
            }
        default:
            UnsafeMutableRawPointer(p).storeBytes(of: bigEndian ? value.bigEndian : value.littleEndian, as: UInt32.self)
        }
    }

    /// Reads the pixel value of the CPIXEL at `data[offset]` (which must hold `size` bytes).
    @inline(__always)
    public func load(_ data: [UInt8], at o: Int) -> UInt32 {
        switch size {
        case 1:
        return UInt32(data[o])
        case 2:
        let a = UInt32(data[o]), b = UInt32(data[o + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
        case 3:
        let a = UInt32(data[o]), b = UInt32(data[o + 1]), c = UInt32(data[o + 2])
        return (bigEndian ? a << 16 | b << 8 | c : c << 16 | b << 8 | a) << shift
        default:
        let a = UInt32(data[o]), b = UInt32(data[o + 1]), c = UInt32(data[o + 2]), d = UInt32(data[o + 3])
        return bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a
        }
    }
}
