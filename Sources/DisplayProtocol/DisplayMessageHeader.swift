/// The fixed start of every message, 12 bytes (docs/protocol.md §3 "Framing").
///
/// Layout: 0 u32 length of the whole message (header included), 4 u16 type, 6 u8 fd count,
/// 7 u8 flags (0 in version 1), 8 u32 request id.
public struct DisplayMessageHeader: Hashable, Sendable {
    /// Bytes before the body: length, type, fd count, flags and request id.
    public static let size = 12

    public var length: UInt32
    public var type: DisplayMessageType
    public var fdCount: UInt8
    public var flags: UInt8
    public var requestID: UInt32

    public init(length: UInt32, type: DisplayMessageType, fdCount: UInt8, flags: UInt8 = 0, requestID: UInt32) {
        self.length = length
        self.type = type
        self.fdCount = fdCount
        self.flags = flags
        self.requestID = requestID
    }
}
