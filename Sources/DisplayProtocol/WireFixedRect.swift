/// A source rectangle in 16.16 fixed-point framebuffer pixels, like KMS SRC_X/Y/W/H: four u32,
/// 16 bytes (docs/protocol.md §3.4 "Common fields"). `0x0001_0000` is one pixel.
public struct WireFixedRect: Hashable, Sendable {
    public var x: UInt32
    public var y: UInt32
    public var width: UInt32
    public var height: UInt32

    public init(x: UInt32, y: UInt32, width: UInt32, height: UInt32) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The whole-pixel rect `x, y, width, height`, shifted into 16.16. Values must fit 16 bits.
    public init(pixelsX x: UInt16, y: UInt16, width: UInt16, height: UInt16) {
        self.init(x: UInt32(x) << 16, y: UInt32(y) << 16, width: UInt32(width) << 16, height: UInt32(height) << 16)
    }

    static let wireSize = 16

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(x: try reader.readU32(), y: try reader.readU32(), width: try reader.readU32(), height: try reader.readU32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(x)
        writer.write(y)
        writer.write(width)
        writer.write(height)
    }
}
