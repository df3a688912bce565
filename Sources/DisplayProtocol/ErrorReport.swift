/// The body of Error and CommitRejected (docs/protocol.md §7.2 "Error", §7.8 "CommitRejected").
///
/// Layout from the message start: 12 u16 code, 14 u16 text length n, 16 u32 detail, 20 n bytes of
/// UTF-8 text (at most 1024).
public struct ErrorReport: Hashable, Sendable {
    public var code: ProtocolErrorCode
    /// The id of the object at fault, or for code 8 the server's version (`major << 16 | minor`),
    /// or 0.
    public var detail: UInt32
    /// A sentence for humans and logs.
    public var message: String

    public init(code: ProtocolErrorCode, detail: UInt32 = 0, message: String) {
        self.code = code
        self.detail = detail
        self.message = message
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        code = ProtocolErrorCode(rawValue: try reader.readU16())
        let length = Int(try reader.readU16())
        detail = try reader.readU32()
        message = try reader.readString(length: length, field: "\(reader.type.name) text", limit: reader.limits.maximumErrorMessageBytes)
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        let text = try writer.utf8(message, field: "text", limit: writer.limits.maximumErrorMessageBytes)
        writer.write(code.rawValue)
        writer.write(UInt16(text.count))
        writer.write(detail)
        writer.writeBytes(text)
    }
}
