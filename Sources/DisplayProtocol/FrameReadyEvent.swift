/// A new scanout frame is in one of the consumer's buffers (docs/protocol.md §7.19 "FrameReady").
///
/// Layout from the message start: 12 u32 output id, 16 u64 sequence, 24 u16 buffer index,
/// 26 u16 flags (bit 0 cursor image changed, bit 1 cursor visible), 28 i32 cursor x,
/// 32 i32 cursor y, 36 u16 damage rect count d, 38 u16 reserved, 40 d rects.
public struct FrameReadyEvent: Hashable, Sendable {
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// A CursorImage event for this output came before this FrameReady.
        public static let cursorImageChanged = Flags(rawValue: 1 << 0)
        /// The cursor is shown at `cursorX`, `cursorY`.
        public static let cursorVisible = Flags(rawValue: 1 << 1)
        public static let all: Flags = [.cursorImageChanged, .cursorVisible]
    }

    public var outputID: UInt32
    /// The output's frame sequence number, as in PageFlip.
    public var sequence: UInt64
    /// Which ScanoutBuffers buffer holds the frame; the consumer owns it until FrameReleased.
    public var bufferIndex: UInt16
    public var flags: Flags
    /// Cursor hotspot position in output pixels.
    public var cursorX: Int32
    public var cursorY: Int32
    /// What changed since the previous FrameReady this consumer got, in output pixels.
    public var damage: [WireRect]

    public init(outputID: UInt32, sequence: UInt64, bufferIndex: UInt16, flags: Flags = [], cursorX: Int32 = 0,
                cursorY: Int32 = 0, damage: [WireRect]) {
        self.outputID = outputID
        self.sequence = sequence
        self.bufferIndex = bufferIndex
        self.flags = flags
        self.cursorX = cursorX
        self.cursorY = cursorY
        self.damage = damage
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        sequence = try reader.readU64()
        bufferIndex = try reader.readU16()
        let flags = try reader.readU16()
        guard flags & ~Flags.all.rawValue == 0 else { throw .invalidValue(field: "FrameReady flags", value: UInt64(flags)) }
        self.flags = Flags(rawValue: flags)
        cursorX = try reader.readI32()
        cursorY = try reader.readI32()
        damage = try reader.readDamageRects(field: "FrameReady damage rect count")
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        try writer.checkCount(damage.count, field: "damage rect count", limit: writer.limits.maximumDamageRects)
        writer.write(outputID)
        writer.write(sequence)
        writer.write(bufferIndex)
        writer.write(flags.rawValue)
        writer.write(cursorX)
        writer.write(cursorY)
        writer.write(UInt16(damage.count))
        writer.writeReserved(2)
        for rect in damage { rect.write(to: &writer) }
    }
}
