/// One output's changes in a Commit, 28 bytes (docs/protocol.md §5.8 "Commit", output state).
///
/// Layout: +0 u32 output id, +4 u8 changes, +5 u8 active, +6 u16 reserved, +8 mode (u32 width,
/// u32 height, u32 refresh mHz), +20 i32 x, +24 i32 y. Fields whose change bit is clear are
/// ignored by the server; writers set them to zero.
public struct CommitOutputState: Hashable, Sendable {
    /// Which of the fields below the commit changes.
    public struct Changes: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let active = Changes(rawValue: 1 << 0)
        public static let mode = Changes(rawValue: 1 << 1)
        public static let position = Changes(rawValue: 1 << 2)
        public static let all: Changes = [.active, .mode, .position]
    }

    public var outputID: UInt32
    public var changes: Changes
    public var active: Bool
    public var mode: WireMode
    public var x: Int32
    public var y: Int32

    public init(outputID: UInt32, changes: Changes, active: Bool = false,
                mode: WireMode = WireMode(width: 0, height: 0, refreshMillihertz: 0), x: Int32 = 0, y: Int32 = 0) {
        self.outputID = outputID
        self.changes = changes
        self.active = active
        self.mode = mode
        self.x = x
        self.y = y
    }

    static let wireSize = 28

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        let changes = try reader.readU8()
        guard changes & ~Changes.all.rawValue == 0 else { throw .invalidValue(field: "Commit output changes", value: UInt64(changes)) }
        self.changes = Changes(rawValue: changes)
        active = try reader.readBool(field: "Commit output active")
        try reader.skipReserved(2)
        mode = try WireMode(from: &reader)
        x = try reader.readI32()
        y = try reader.readI32()
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(changes.rawValue)
        writer.writeBool(active)
        writer.writeReserved(2)
        mode.write(to: &writer)
        writer.write(x)
        writer.write(y)
    }
}
