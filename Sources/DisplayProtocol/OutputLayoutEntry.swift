/// One output's wished-for size and place, 20 bytes (docs/protocol.md §6.6 "RequestLayout",
/// §7.11 "LayoutRequest").
///
/// Layout: +0 u32 output id, +4 u32 width, +8 u32 height, +12 i32 x, +16 i32 y.
public struct OutputLayoutEntry: Hashable, Sendable {
    public var outputID: UInt32
    public var width: UInt32
    public var height: UInt32
    public var x: Int32
    public var y: Int32

    public init(outputID: UInt32, width: UInt32, height: UInt32, x: Int32, y: Int32) {
        self.outputID = outputID
        self.width = width
        self.height = height
        self.x = x
        self.y = y
    }

    static let wireSize = 20

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(outputID: try reader.readU32(), width: try reader.readU32(), height: try reader.readU32(),
                  x: try reader.readI32(), y: try reader.readI32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(width)
        writer.write(height)
        writer.write(x)
        writer.write(y)
    }

    /// Reads `u16 count, u16 reserved` and the entries after it.
    static func readList(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) -> [OutputLayoutEntry] {
        let count = Int(try reader.readU16())
        try reader.checkCount(count, field: "\(reader.type.name) entry count", limit: reader.limits.maximumListEntries)
        try reader.skipReserved(2)
        var entries: [OutputLayoutEntry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try OutputLayoutEntry(from: &reader)) }
        return entries
    }

    /// Writes `u16 count, u16 reserved` and the entries.
    static func writeList(_ entries: [OutputLayoutEntry], to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        try writer.checkCount(entries.count, field: "entry count", limit: writer.limits.maximumListEntries)
        writer.write(UInt16(entries.count))
        writer.writeReserved(2)
        for entry in entries { entry.write(to: &writer) }
    }
}
