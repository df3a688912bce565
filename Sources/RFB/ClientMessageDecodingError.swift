/// Why a viewer's byte stream could not be decoded. Each is fatal for that viewer: the stream has
/// no message boundaries to resynchronise on.
public enum ClientMessageDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A message type that RFC 6143 §7.5 does not define, or whose extension was never offered.
    case unknownMessageType(UInt8)
    /// SetEncodings declared more entries than `ClientMessageLimits.maximumEncodingCount`.
    case tooManyEncodings(count: Int, limit: Int)
    /// ClientCutText declared more bytes than `ClientMessageLimits.maximumCutTextLength`.
    case cutTextTooLong(length: UInt32, limit: Int)
    /// An extended ClientCutText declared more bytes than `ClientMessageLimits.maximumCutTextLength`.
    case extendedCutTextTooLong(length: Int, limit: Int)
    /// An extended ClientCutText that cannot be decoded (rfbproto "Extended Clipboard Pseudo-Encoding").
    case malformedExtendedClipboard(ExtendedClipboardError)
    /// ClientFence declared more than the 64 payload bytes rfbproto allows.
    case fencePayloadTooLong(length: Int)
    /// SetDesktopSize declared more screens than `ClientMessageLimits.maximumScreenCount`.
    case tooManyScreens(count: Int, limit: Int)
    /// A QEMU client message (type 255) with a submessage type Porthole does not implement.
    case unknownQEMUSubmessage(UInt8)

    public var description: String {
        switch self {
        case .unknownMessageType(let type): return "unknown client message type \(type)"
        case .tooManyEncodings(let count, let limit): return "SetEncodings lists \(count) encodings (limit \(limit))"
        case .cutTextTooLong(let length, let limit): return "ClientCutText declares \(length) bytes (limit \(limit))"
        case .extendedCutTextTooLong(let length, let limit):
            return "extended ClientCutText declares \(length) bytes (limit \(limit))"
        case .malformedExtendedClipboard(let error): return error.description
        case .fencePayloadTooLong(let length): return "ClientFence declares a \(length)-byte payload (at most 64)"
        case .tooManyScreens(let count, let limit): return "SetDesktopSize lists \(count) screens (limit \(limit))"
        case .unknownQEMUSubmessage(let type): return "unknown QEMU client submessage \(type)"
        }
    }
}
