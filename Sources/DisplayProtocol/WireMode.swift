/// A display mode: u32 width, u32 height, u32 refresh rate in millihertz, 12 bytes
/// (docs/protocol.md §3.4 "Common fields"). 60 Hz is 60000.
public struct WireMode: Hashable, Sendable {
    public var width: UInt32
    public var height: UInt32
    public var refreshMillihertz: UInt32

    public init(width: UInt32, height: UInt32, refreshMillihertz: UInt32) {
        self.width = width
        self.height = height
        self.refreshMillihertz = refreshMillihertz
    }

    static let wireSize = 12

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(width: try reader.readU32(), height: try reader.readU32(), refreshMillihertz: try reader.readU32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(width)
        writer.write(height)
        writer.write(refreshMillihertz)
    }
}
