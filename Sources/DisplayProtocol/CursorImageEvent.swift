/// An output's cursor image (docs/protocol.md §7.20 "CursorImage").
///
/// Layout from the message start: 12 u32 output id, 16 u16 width, 18 u16 height, 20 u16 hotspot x,
/// 22 u16 hotspot y, 24 u32 flags (bit 0: pixels in a memfd), 28 width × height × 4 bytes of
/// pixels when bit 0 is clear; 1 fd and no pixel bytes when it is set.
public struct CursorImageEvent: Hashable, Sendable {
    /// Where the pixels are: ARGB8888 (DRM AR24: bytes B, G, R, A; straight alpha), rows of
    /// width × 4 bytes, no padding.
    public enum Pixels: Hashable, Sendable {
        case inline([UInt8])
        /// A sealed memfd of at least width × height × 4 bytes, owned by the holder of this value.
        case memfd(Int32)
    }

    public var outputID: UInt32
    /// 0 × 0 means the output has no cursor image.
    public var width: UInt16
    public var height: UInt16
    public var hotspotX: UInt16
    public var hotspotY: UInt16
    public var pixels: Pixels

    public init(outputID: UInt32, width: UInt16, height: UInt16, hotspotX: UInt16, hotspotY: UInt16, pixels: Pixels) {
        self.outputID = outputID
        self.width = width
        self.height = height
        self.hotspotX = hotspotX
        self.hotspotY = hotspotY
        self.pixels = pixels
    }

    var fds: [Int32] {
        if case .memfd(let fd) = pixels { return [fd] }
        return []
    }

    init(from reader: inout WireReader, fds: [Int32]) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        width = try reader.readU16()
        height = try reader.readU16()
        hotspotX = try reader.readU16()
        hotspotY = try reader.readU16()
        let side = reader.limits.maximumCursorSide
        try reader.checkCount(Int(width), field: "CursorImage width", limit: side)
        try reader.checkCount(Int(height), field: "CursorImage height", limit: side)
        let flags = try reader.readU32()
        guard flags & ~1 == 0 else { throw .invalidValue(field: "CursorImage flags", value: UInt64(flags)) }
        let expectedFDs = Int(flags & 1)
        guard fds.count == expectedFDs else { throw .fdCountMismatch(type: reader.type, declared: fds.count, expected: expectedFDs) }
        if let fd = fds.first {
            pixels = .memfd(fd)
        } else {
            pixels = .inline(try reader.readBytes(Int(width) * Int(height) * 4))
        }
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        let side = writer.limits.maximumCursorSide
        try writer.checkCount(Int(width), field: "width", limit: side)
        try writer.checkCount(Int(height), field: "height", limit: side)
        writer.write(outputID)
        writer.write(width)
        writer.write(height)
        writer.write(hotspotX)
        writer.write(hotspotY)
        switch pixels {
        case .inline(let bytes):
            let expected = Int(width) * Int(height) * 4
            guard bytes.count == expected else {
                throw .fieldTooLarge(type: writer.type, field: "pixel byte count (must be width × height × 4 = \(expected))",
                                     count: bytes.count, limit: expected)
            }
            writer.write(UInt32(0))
            writer.writeBytes(bytes)
        case .memfd:
            writer.write(UInt32(1))
        }
    }
}
