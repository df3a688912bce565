/// A key press or release (docs/protocol.md §6.4 "KeyInput", §7.12 "KeyEvent").
///
/// Layout from the message start: 12 u32 output id, 16 u32 keysym, 20 u32 scancode, 24 u8 down,
/// 25 3 reserved bytes. 28 bytes.
public struct KeyInput: Hashable, Sendable {
    /// The output the viewer was looking at.
    public var outputID: UInt32
    /// X11 keysym (as in RFB KeyEvent), 0 when unknown.
    public var keysym: UInt32
    /// Linux evdev key code (KEY_* from linux/input-event-codes.h), 0 when unknown.
    public var scancode: UInt32
    public var down: Bool

    public init(outputID: UInt32, keysym: UInt32, scancode: UInt32 = 0, down: Bool) {
        self.outputID = outputID
        self.keysym = keysym
        self.scancode = scancode
        self.down = down
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        keysym = try reader.readU32()
        scancode = try reader.readU32()
        down = try reader.readBool(field: "\(reader.type.name) down")
        try reader.skipReserved(3)
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(keysym)
        writer.write(scancode)
        writer.writeBool(down)
        writer.writeReserved(3)
    }
}
