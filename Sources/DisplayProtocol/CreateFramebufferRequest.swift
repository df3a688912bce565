/// A producer's request to wrap memory as a framebuffer (docs/protocol.md §5.6 "CreateFramebuffer").
///
/// Layout from the message start: 12 u32 fourcc, 16 u64 modifier, 24 u32 width, 28 u32 height,
/// 32 u32 stride, 36 u32 offset, 40 u8 memory kind, 41 u8 flags (version 1.1: bit 0 copy path),
/// 42 2 reserved bytes. 44 bytes, 1 fd.
public struct CreateFramebufferRequest: Hashable, Sendable {
    /// DRM fourcc, e.g. 0x34325258 "XR24" (XRGB8888).
    public var format: UInt32
    /// DRM format modifier; 0 (DRM_FORMAT_MOD_LINEAR) is the only one version 1 servers accept.
    public var modifier: UInt64
    public var width: UInt32
    public var height: UInt32
    /// Bytes from one row to the next.
    public var stride: UInt32
    /// Byte offset of the first pixel in the memory.
    public var offset: UInt32
    public var memoryKind: FramebufferMemoryKind
    /// Bit 0 (version 1.1): the copy path of §11; the server copies at each tick and releases at
    /// once. Other bits are 0.
    public var flags: CreateFramebufferFlags
    /// The memory, owned by whoever holds this value: the sender until it is written, the
    /// receiver after it is decoded.
    public var fd: Int32

    public init(format: UInt32, modifier: UInt64 = 0, width: UInt32, height: UInt32, stride: UInt32, offset: UInt32 = 0,
                memoryKind: FramebufferMemoryKind, flags: CreateFramebufferFlags = [], fd: Int32) {
        self.format = format
        self.modifier = modifier
        self.width = width
        self.height = height
        self.stride = stride
        self.offset = offset
        self.memoryKind = memoryKind
        self.flags = flags
        self.fd = fd
    }

    init(from reader: inout WireReader, fd: Int32) throws(DisplayProtocolDecodingError.Kind) {
        format = try reader.readU32()
        modifier = try reader.readU64()
        width = try reader.readU32()
        height = try reader.readU32()
        stride = try reader.readU32()
        offset = try reader.readU32()
        let kind = try reader.readU8()
        guard let memoryKind = FramebufferMemoryKind(rawValue: kind) else {
            throw .invalidValue(field: "CreateFramebuffer memory kind", value: UInt64(kind))
        }
        self.memoryKind = memoryKind
        let flagBits = try reader.readU8()
        guard flagBits & ~CreateFramebufferFlags.known.rawValue == 0 else {
            throw .invalidValue(field: "CreateFramebuffer flags", value: UInt64(flagBits))
        }
        flags = CreateFramebufferFlags(rawValue: flagBits)
        try reader.skipReserved(2)
        self.fd = fd
    }

    func write(to writer: inout WireWriter) {
        writer.write(format)
        writer.write(modifier)
        writer.write(width)
        writer.write(height)
        writer.write(stride)
        writer.write(offset)
        writer.write(memoryKind.rawValue)
        writer.write(flags.rawValue)
        writer.writeReserved(2)
    }
}
