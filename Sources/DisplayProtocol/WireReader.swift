import NIOCore

/// Reads one message body field by field, little-endian (docs/protocol.md §3.1 "Byte order").
///
/// Every read checks that the body still holds the field; `finish()` checks that nothing follows
/// the last one. Counts and string lengths are checked against their limits before the entries
/// they announce are read.
struct WireReader {
    private var buffer: ByteBuffer
    let type: DisplayMessageType
    let limits: DisplayProtocolLimits

    init(body: ByteBuffer, type: DisplayMessageType, limits: DisplayProtocolLimits) {
        self.buffer = body
        self.type = type
        self.limits = limits
    }

    var remainingBytes: Int { buffer.readableBytes }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(DisplayProtocolDecodingError.Kind) -> T {
        guard let value = buffer.readInteger(endianness: .little, as: T.self) else { throw .truncatedBody(type: type) }
        return value
    }

    mutating func readU8() throws(DisplayProtocolDecodingError.Kind) -> UInt8 { try read() }
    mutating func readU16() throws(DisplayProtocolDecodingError.Kind) -> UInt16 { try read() }
    mutating func readU32() throws(DisplayProtocolDecodingError.Kind) -> UInt32 { try read() }
    mutating func readU64() throws(DisplayProtocolDecodingError.Kind) -> UInt64 { try read() }
    mutating func readI32() throws(DisplayProtocolDecodingError.Kind) -> Int32 { try read() }

    /// A boolean byte: 0 or 1, anything else is invalid.
    mutating func readBool(field: String) throws(DisplayProtocolDecodingError.Kind) -> Bool {
        let value = try readU8()
        guard value <= 1 else { throw .invalidValue(field: field, value: UInt64(value)) }
        return value == 1
    }

    /// `count` reserved bytes, which must be zero.
    mutating func skipReserved(_ count: Int) throws(DisplayProtocolDecodingError.Kind) {
        guard let bytes = buffer.readBytes(length: count) else { throw .truncatedBody(type: type) }
        for byte in bytes where byte != 0 { throw .invalidValue(field: "\(type.name) reserved", value: UInt64(byte)) }
    }

    mutating func readBytes(_ count: Int) throws(DisplayProtocolDecodingError.Kind) -> [UInt8] {
        guard let bytes = buffer.readBytes(length: count) else { throw .truncatedBody(type: type) }
        return bytes
    }

    /// A count field's value, refused when over `limit`.
    func checkCount(_ count: Int, field: String, limit: Int) throws(DisplayProtocolDecodingError.Kind) {
        guard count <= limit else { throw .countTooLarge(field: field, count: count, limit: limit) }
    }

    /// A damage count field (u16), refused when over the damage rect limit (docs/protocol.md §5.8,
    /// §7.19, §8) before any rect is read or allocated.
    mutating func readDamageCount(field: String) throws(DisplayProtocolDecodingError.Kind) -> Int {
        let count = Int(try readU16())
        try checkCount(count, field: field, limit: limits.maximumDamageRects)
        return count
    }

    /// `count` rects, the count having been checked against its limit.
    mutating func readRects(count: Int) throws(DisplayProtocolDecodingError.Kind) -> [WireRect] {
        var rects: [WireRect] = []
        rects.reserveCapacity(count)
        for _ in 0..<count { rects.append(try WireRect(from: &self)) }
        return rects
    }

    /// A damage list as FrameReady carries it: u16 count, 2 reserved bytes, then that many rects
    /// (docs/protocol.md §7.19). The count is checked before anything is allocated. (A Commit's
    /// plane state has a move count where FrameReady has reserved bytes, §5.8, so it reads its
    /// two counts itself.)
    mutating func readDamageRects(field: String) throws(DisplayProtocolDecodingError.Kind) -> [WireRect] {
        let count = try readDamageCount(field: field)
        try skipReserved(2)
        return try readRects(count: count)
    }

    /// `length` bytes of UTF-8, the length having been read from its own field.
    mutating func readString(length: Int, field: String, limit: Int) throws(DisplayProtocolDecodingError.Kind) -> String {
        guard length <= limit else { throw .stringTooLong(field: field, length: length, limit: limit) }
        let bytes = try readBytes(length)
        let string = String(decoding: bytes, as: UTF8.self)
        // Decoding repairs invalid sequences with U+FFFD; a repaired string has other bytes.
        guard string.utf8.elementsEqual(bytes) else { throw .invalidUTF8(field: field) }
        return string
    }

    /// Checks that the body has no bytes after its last field.
    func finish() throws(DisplayProtocolDecodingError.Kind) {
        guard buffer.readableBytes == 0 else { throw .trailingBytes(type: type, count: buffer.readableBytes) }
    }
}
