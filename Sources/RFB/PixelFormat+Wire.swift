import NIOCore
import Pixels

extension ByteBuffer {
    /// The length of PIXEL_FORMAT on the wire (RFC 6143 §7.4).
    public static let pixelFormatWireLength = 16

    /// Writes PIXEL_FORMAT (RFC 6143 §7.4): bits-per-pixel, depth, big-endian flag, true-colour
    /// flag (U8 each), red/green/blue maxima (U16), red/green/blue shifts (U8), three bytes padding.
    public mutating func writePixelFormat(_ format: PixelFormat) {
        writeInteger(format.bitsPerPixel)
        writeInteger(format.depth)
        writeInteger(UInt8(format.bigEndian ? 1 : 0))
        writeInteger(UInt8(format.trueColour ? 1 : 0))
        writeInteger(format.redMax)
        writeInteger(format.greenMax)
        writeInteger(format.blueMax)
        writeInteger(format.redShift)
        writeInteger(format.greenShift)
        writeInteger(format.blueShift)
        writeRepeatingByte(0, count: 3)
    }

    /// Reads PIXEL_FORMAT (RFC 6143 §7.4), or returns nil without moving the reader index when fewer
    /// than sixteen bytes are readable. Any non-zero flag byte counts as true, as the spec says.
    /// The format is not validated here; callers decide what they accept.
    public mutating func readPixelFormat() -> PixelFormat? {
        guard readableBytes >= Self.pixelFormatWireLength,
              let bitsPerPixel = readInteger(as: UInt8.self), let depth = readInteger(as: UInt8.self),
              let bigEndian = readInteger(as: UInt8.self), let trueColour = readInteger(as: UInt8.self),
              let redMax = readInteger(as: UInt16.self), let greenMax = readInteger(as: UInt16.self),
              let blueMax = readInteger(as: UInt16.self), let redShift = readInteger(as: UInt8.self),
              let greenShift = readInteger(as: UInt8.self), let blueShift = readInteger(as: UInt8.self)
        else { return nil }
        moveReaderIndex(forwardBy: 3)
        return PixelFormat(bitsPerPixel: bitsPerPixel, depth: depth, bigEndian: bigEndian != 0, trueColour: trueColour != 0,
                           redMax: redMax, greenMax: greenMax, blueMax: blueMax,
                           redShift: redShift, greenShift: greenShift, blueShift: blueShift)
    }
}
