/// A rectangle in integer pixels: i32 x, i32 y, u32 width, u32 height, 16 bytes
/// (docs/protocol.md §3.4 "Common fields"). Used for destination rects and damage.
public struct WireRect: Hashable, Sendable {
    public var x: Int32
    public var y: Int32
    public var width: UInt32
    public var height: UInt32

    public init(x: Int32, y: Int32, width: UInt32, height: UInt32) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    static let wireSize = 16

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(x: try reader.readI32(), y: try reader.readI32(), width: try reader.readU32(), height: try reader.readU32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(x)
        writer.write(y)
        writer.write(width)
        writer.write(height)
    }
}
