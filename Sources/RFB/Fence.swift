import NIOCore

/// The flags of a Fence message (rfbproto "ClientFence" and "ServerFence"; both directions share
/// the layout: type 248, 3 padding, U32 flags, U8 length, at most 64 payload bytes).
///
/// What a receiver must honour before it answers a fence with `request` set:
/// - `blockBefore`: every message before the fence has been processed and taken effect before
///   the response is sent;
/// - `blockAfter`: no message after the fence starts being processed until the response is sent;
/// - `syncNext`: the message right after the fence is applied atomically: whatever was sent
///   before the response is unaffected by it, whatever is sent after is affected (used to
///   switch pixel formats safely while continuous updates flow). With `blockAfter` as well, the
///   next message may be processed before the response; the ones after it wait.
///
/// The response carries the same payload, `request` cleared, and only the flags the responder
/// understands (`response`).
public struct FenceFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let blockBefore = FenceFlags(rawValue: 1 << 0)
    public static let blockAfter = FenceFlags(rawValue: 1 << 1)
    public static let syncNext = FenceFlags(rawValue: 1 << 2)
    public static let request = FenceFlags(rawValue: 1 << 31)

    /// The flags this implementation understands, apart from `request`.
    public static let understood: FenceFlags = [.blockBefore, .blockAfter, .syncNext]

    /// The flags of the answer to a fence request with these flags: unknown bits and `request`
    /// cleared, the rest kept (rfbproto "ClientFence").
    public var response: FenceFlags { intersection(Self.understood) }

    public var description: String {
        var names: [String] = []
        if contains(.blockBefore) { names.append("BlockBefore") }
        if contains(.blockAfter) { names.append("BlockAfter") }
        if contains(.syncNext) { names.append("SyncNext") }
        if contains(.request) { names.append("Request") }
        let unknown = subtracting(Self.understood.union(.request)).rawValue
        if unknown != 0 { names.append("0x" + String(unknown, radix: 16)) }
        return "[" + names.joined(separator: ",") + "]"
    }
}

/// Message-type byte and limits shared by ClientFence and ServerFence.
public enum Fence {
    public static let messageType: UInt8 = 248
    /// rfbproto: "The size of this data is limited to 64 bytes".
    public static let maximumPayloadLength = 64
    /// Type, padding, flags, length.
    public static let headerLength = 9
}

extension ByteBuffer {
    /// Writes a ServerFence (rfbproto "ServerFence"). The payload is cut to 64 bytes, the most the
    /// spec allows; callers pass at most that.
    public mutating func writeFence(flags: FenceFlags, payload: [UInt8]) {
        let payload = payload.prefix(Fence.maximumPayloadLength)
        writeInteger(Fence.messageType)
        writeRepeatingByte(0, count: 3)
        writeInteger(flags.rawValue)
        writeInteger(UInt8(payload.count))
        writeBytes(payload)
    }
}
