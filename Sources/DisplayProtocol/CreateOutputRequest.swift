/// A producer's request for a new output, a virtual hotplug (docs/protocol.md §5.2 "CreateOutput").
///
/// Layout from the message start: 12 mode (u32 width, u32 height, u32 refresh mHz), 24 preferred
/// mode (same), 36 i32 x, 40 i32 y, 44 u32 physical width mm, 48 u32 physical height mm,
/// 52 u16 name length n, 54 u16 reserved, 56 n bytes of UTF-8 name.
public struct CreateOutputRequest: Hashable, Sendable {
    /// A name such as "Virtual-1", at most 255 UTF-8 bytes.
    public var name: String
    public var mode: WireMode
    public var preferredMode: WireMode
    /// Position of the top-left corner in the desktop layout.
    public var x: Int32
    public var y: Int32
    public var physicalWidthMillimetres: UInt32
    public var physicalHeightMillimetres: UInt32

    public init(name: String, mode: WireMode, preferredMode: WireMode, x: Int32 = 0, y: Int32 = 0,
                physicalWidthMillimetres: UInt32 = 0, physicalHeightMillimetres: UInt32 = 0) {
        self.name = name
        self.mode = mode
        self.preferredMode = preferredMode
        self.x = x
        self.y = y
        self.physicalWidthMillimetres = physicalWidthMillimetres
        self.physicalHeightMillimetres = physicalHeightMillimetres
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        mode = try WireMode(from: &reader)
        preferredMode = try WireMode(from: &reader)
        x = try reader.readI32()
        y = try reader.readI32()
        physicalWidthMillimetres = try reader.readU32()
        physicalHeightMillimetres = try reader.readU32()
        let length = Int(try reader.readU16())
        try reader.skipReserved(2)
        name = try reader.readString(length: length, field: "CreateOutput name", limit: reader.limits.maximumNameBytes)
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        let nameBytes = try writer.utf8(name, field: "name", limit: writer.limits.maximumNameBytes)
        mode.write(to: &writer)
        preferredMode.write(to: &writer)
        writer.write(x)
        writer.write(y)
        writer.write(physicalWidthMillimetres)
        writer.write(physicalHeightMillimetres)
        writer.write(UInt16(nameBytes.count))
        writer.writeReserved(2)
        writer.writeBytes(nameBytes)
    }
}
