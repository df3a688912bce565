/// The ring of read-only buffers the server writes an output's scanout into for one consumer
/// (docs/protocol.md §7.18 "ScanoutBuffers").
///
/// Layout from the message start: 12 u32 output id, 16 u32 fourcc, 20 u32 width, 24 u32 height,
/// 28 u32 stride, 32 u32 buffer size, 36 u16 buffer count n, 38 u16 reserved. 40 bytes, n fds:
/// buffer 0 first.
public struct ScanoutBuffersEvent: Hashable, Sendable {
    public var outputID: UInt32
    /// DRM fourcc of every buffer; version 1 servers send XR24 (XRGB8888).
    public var format: UInt32
    public var width: UInt32
    public var height: UInt32
    public var stride: UInt32
    /// Size of each memfd in bytes, at least stride × height.
    public var bufferSize: UInt32
    /// One memfd per buffer, sealed, to be mapped read-only. Owned by the holder of this value.
    public var fds: [Int32]

    public init(outputID: UInt32, format: UInt32, width: UInt32, height: UInt32, stride: UInt32, bufferSize: UInt32, fds: [Int32]) {
        self.outputID = outputID
        self.format = format
        self.width = width
        self.height = height
        self.stride = stride
        self.bufferSize = bufferSize
        self.fds = fds
    }

    /// Reads the body; the header's fd count must equal the buffer count.
    init(from reader: inout WireReader, fds: [Int32]) throws(DisplayProtocolDecodingError.Kind) {
        outputID = try reader.readU32()
        format = try reader.readU32()
        width = try reader.readU32()
        height = try reader.readU32()
        stride = try reader.readU32()
        bufferSize = try reader.readU32()
        let count = Int(try reader.readU16())
        try reader.skipReserved(2)
        try reader.checkCount(count, field: "ScanoutBuffers buffer count", limit: reader.limits.maximumScanoutBuffers)
        guard count == fds.count else { throw .fdCountMismatch(type: reader.type, declared: fds.count, expected: count) }
        self.fds = fds
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        try writer.checkCount(fds.count, field: "buffer count", limit: min(writer.limits.maximumScanoutBuffers, writer.limits.maximumFDsPerMessage))
        writer.write(outputID)
        writer.write(format)
        writer.write(width)
        writer.write(height)
        writer.write(stride)
        writer.write(bufferSize)
        writer.write(UInt16(fds.count))
        writer.writeReserved(2)
    }
}
