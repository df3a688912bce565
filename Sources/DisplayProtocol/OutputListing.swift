/// One output in an Outputs reply, 32 bytes plus its two names (docs/protocol.md §7.16 "Outputs").
///
/// Layout: +0 u32 output id, +4 mode (u32 width, u32 height, u32 refresh mHz), +16 i32 x,
/// +20 i32 y, +24 u8 flags (bit 0 enabled, bit 1 owner connected), +25 u8 reserved,
/// +26 u16 name length n, +28 u16 owner name length m, +30 u16 reserved, +32 n bytes of name,
/// then m bytes of owner name.
public struct OutputListing: Hashable, Sendable {
    public var outputID: UInt32
    public var name: String
    public var mode: WireMode
    public var x: Int32
    public var y: Int32
    public var enabled: Bool
    /// Whether the producer that owns the output is connected (its outputs outlive it for a grace
    /// period).
    public var ownerConnected: Bool
    /// The owning producer's Hello name, empty when it has none.
    public var ownerName: String

    public init(outputID: UInt32, name: String, mode: WireMode, x: Int32, y: Int32, enabled: Bool,
                ownerConnected: Bool, ownerName: String) {
        self.outputID = outputID
        self.name = name
        self.mode = mode
        self.x = x
        self.y = y
        self.enabled = enabled
        self.ownerConnected = ownerConnected
        self.ownerName = ownerName
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        mode = try WireMode(from: &reader)
        x = try reader.readI32()
        y = try reader.readI32()
        let flags = try reader.readU8()
        guard flags & ~3 == 0 else { throw .invalidValue(field: "Outputs flags", value: UInt64(flags)) }
        enabled = flags & 1 != 0
        ownerConnected = flags & 2 != 0
        try reader.skipReserved(1)
        let nameLength = Int(try reader.readU16())
        let ownerLength = Int(try reader.readU16())
        try reader.skipReserved(2)
        name = try reader.readString(length: nameLength, field: "Outputs name", limit: reader.limits.maximumNameBytes)
        ownerName = try reader.readString(length: ownerLength, field: "Outputs owner name", limit: reader.limits.maximumNameBytes)
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        let nameBytes = try writer.utf8(name, field: "name", limit: writer.limits.maximumNameBytes)
        let ownerBytes = try writer.utf8(ownerName, field: "owner name", limit: writer.limits.maximumNameBytes)
        writer.write(outputID)
        mode.write(to: &writer)
        writer.write(x)
        writer.write(y)
        writer.write(UInt8((enabled ? 1 : 0) | (ownerConnected ? 2 : 0)))
        writer.writeReserved(1)
        writer.write(UInt16(nameBytes.count))
        writer.write(UInt16(ownerBytes.count))
        writer.writeReserved(2)
        writer.writeBytes(nameBytes)
        writer.writeBytes(ownerBytes)
    }
}
