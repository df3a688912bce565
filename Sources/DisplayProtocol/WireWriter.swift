import NIOCore

/// Writes one message body field by field, little-endian (docs/protocol.md §3.1 "Byte order").
///
/// Lengths and counts are checked against their wire field and their protocol limit, so that a
/// writer never produces a message the decoder refuses.
struct WireWriter {
    var buffer: ByteBuffer
    let type: DisplayMessageType
    let limits: DisplayProtocolLimits

    mutating func write<T: FixedWidthInteger>(_ value: T) { buffer.writeInteger(value, endianness: .little) }

    mutating func writeBool(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    mutating func writeReserved(_ count: Int) { buffer.writeRepeatingByte(0, count: count) }

    mutating func writeBytes(_ bytes: some Sequence<UInt8>) { buffer.writeBytes(bytes) }

    /// Refuses `count` when over `limit`.
    func checkCount(_ count: Int, field: String, limit: Int) throws(DisplayProtocolEncodingError) {
        guard count <= limit else { throw .fieldTooLarge(type: type, field: field, count: count, limit: limit) }
    }

    /// The UTF-8 bytes of `string`, refused when longer than `limit`.
    func utf8(_ string: String, field: String, limit: Int) throws(DisplayProtocolEncodingError) -> [UInt8] {
        let bytes = Array(string.utf8)
        try checkCount(bytes.count, field: field, limit: limit)
        return bytes
    }
}
