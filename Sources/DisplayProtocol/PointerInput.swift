/// A pointer position and button state (docs/protocol.md §6.5 "PointerInput", §7.13 "PointerEvent").
///
/// Layout from the message start: 12 u32 output id, 16 i32 x, 20 i32 y, 24 u16 buttons,
/// 26 u16 reserved. 28 bytes.
public struct PointerInput: Hashable, Sendable {
    public var outputID: UInt32
    /// Position in the output's pixels.
    public var x: Int32
    public var y: Int32
    /// Buttons held, as in RFB PointerEvent: bit 0 left, 1 middle, 2 right, 3 wheel up,
    /// 4 wheel down, 5 wheel left, 6 wheel right; bits 7–15 further buttons.
    public var buttons: UInt16

    public init(outputID: UInt32, x: Int32, y: Int32, buttons: UInt16) {
        self.outputID = outputID
        self.x = x
        self.y = y
        self.buttons = buttons
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        x = try reader.readI32()
        y = try reader.readI32()
        buttons = try reader.readU16()
        try reader.skipReserved(2)
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(x)
        writer.write(y)
        writer.write(buttons)
        writer.writeReserved(2)
    }
}
