import NIOCore
import ZlibStreams

/// Clipboard formats of the Extended Clipboard (rfbproto "Extended Clipboard Pseudo-Encoding",
/// flag bits 0 to 15).
public struct ClipboardFormats: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// UTF-8, CRLF line ends, NUL-terminated.
    public static let text = ClipboardFormats(rawValue: 1 << 0)
    public static let rtf = ClipboardFormats(rawValue: 1 << 1)
    public static let html = ClipboardFormats(rawValue: 1 << 2)
    public static let dib = ClipboardFormats(rawValue: 1 << 3)
    public static let files = ClipboardFormats(rawValue: 1 << 4)
    /// Bits 0 to 15.
    public static let all = ClipboardFormats(rawValue: 0xffff)

    /// Each format set, lowest bit first: the order in which sizes and data travel.
    public var members: [ClipboardFormats] {
        (0..<16).compactMap { bit in rawValue & (1 << bit) != 0 ? ClipboardFormats(rawValue: 1 << bit) : nil }
    }
}

/// Actions of the Extended Clipboard (flag bits 24 to 28).
public struct ClipboardActions: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let caps = ClipboardActions(rawValue: 1 << 24)
    public static let request = ClipboardActions(rawValue: 1 << 25)
    public static let peek = ClipboardActions(rawValue: 1 << 26)
    public static let notify = ClipboardActions(rawValue: 1 << 27)
    public static let provide = ClipboardActions(rawValue: 1 << 28)
    /// Bits 24 to 31.
    public static let all = ClipboardActions(rawValue: 0xff00_0000)
}

/// One extended ClientCutText or ServerCutText (rfbproto "Extended Clipboard Pseudo-Encoding"):
/// the message whose S32 length is negative; -length bytes follow, starting with U32 flags.
public enum ExtendedClipboardMessage: Hashable, Sendable {
    /// The formats and actions the sender accepts, with the largest unsolicited size for each
    /// format (the keys are single formats).
    case caps(actions: ClipboardActions, maximumSizes: [ClipboardFormats: UInt32])
    /// Asks the receiver to `provide` these formats.
    case request(ClipboardFormats)
    /// Asks the receiver to `notify` which formats it has.
    case peek
    /// The sender's clipboard changed and holds these formats.
    case notify(ClipboardFormats)
    /// The clipboard contents, per single format, as they travel (see `text`).
    case provide([ClipboardFormats: [UInt8]])

    /// A `provide` of `text`, converted to the wire form: UTF-8, CRLF line ends, NUL-terminated.
    public static func providing(text: String) -> ExtendedClipboardMessage {
        .provide([.text: ExtendedClipboard.wireText(text)])
    }

    /// The text of a `provide`, converted back: the terminating NUL dropped, CRLF turned into LF.
    public var text: String? {
        guard case .provide(let data) = self, let bytes = data[.text] else { return nil }
        return ExtendedClipboard.text(fromWire: bytes)
    }

    /// The caps Porthole announces: text only, all five actions, `maximumTextSize` unsolicited.
    public static func portholeCaps(maximumTextSize: UInt32) -> ExtendedClipboardMessage {
        .caps(actions: [.caps, .request, .peek, .notify, .provide], maximumSizes: [.text: maximumTextSize])
    }
}

/// Why an extended clipboard message was refused.
public enum ExtendedClipboardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the flags, a caps message without all its sizes, or data shorter than the
    /// sizes it declares.
    case truncated(String)
    /// No action bit, or several without caps.
    case invalidActions(UInt32)
    /// The zlib data of a provide is corrupt.
    case corrupt(String)
    /// The zlib data of a provide inflates past the limit (a zlib bomb stops here).
    case inflatedTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .truncated(let why): return "extended clipboard message truncated: \(why)"
        case .invalidActions(let flags): return "extended clipboard flags 0x\(String(flags, radix: 16)) name no single action"
        case .corrupt(let why): return "extended clipboard provide: \(why)"
        case .inflatedTooLarge(let limit): return "extended clipboard provide inflates past the limit of \(limit) bytes"
        }
    }
}

/// The codec of extended clipboard payloads (everything after the S32 length).
public enum ExtendedClipboard {
    /// Text in the wire form: LF (and lone CR) become CRLF, UTF-8, NUL-terminated.
    public static func wireText(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 1)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 10 && previous != 13 { out.append(13) }
            out.append(byte)
            previous = byte
        }
        out.append(0)
        return out
    }

    /// Wire text back to a string: up to the first NUL, CRLF turned into LF.
    public static func text(fromWire bytes: [UInt8]) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        var out: [UInt8] = []
        out.reserveCapacity(end)
        var index = 0
        while index < end {
            if bytes[index] == 13 && index + 1 < end && bytes[index + 1] == 10 { index += 1; continue }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The payload of `message`; a provide is zlib-compressed as one stream of its own.
    public static func encode(_ message: ExtendedClipboardMessage) -> [UInt8] {
        var out = ByteBuffer()
        switch message {
        case .caps(let actions, let sizes):
            let formats = sizes.keys.reduce(ClipboardFormats()) { $0.union($1) }.intersection(.all)
            out.writeInteger(formats.rawValue | actions.union(.caps).intersection(.all).rawValue)
            for format in formats.members { out.writeInteger(sizes[format] ?? 0) }
        case .request(let formats):
            out.writeInteger(formats.intersection(.all).rawValue | ClipboardActions.request.rawValue)
        case .peek:
            out.writeInteger(ClipboardActions.peek.rawValue)
        case .notify(let formats):
            out.writeInteger(formats.intersection(.all).rawValue | ClipboardActions.notify.rawValue)
        case .provide(let data):
            let formats = data.keys.reduce(ClipboardFormats()) { $0.union($1) }.intersection(.all)
            out.writeInteger(formats.rawValue | ClipboardActions.provide.rawValue)
            var plain: [UInt8] = []
            for format in formats.members {
                let bytes = data[format] ?? []
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: bytes.count).bigEndian) { plain.append(contentsOf: $0) }
                plain.append(contentsOf: bytes)
            }
            var compressed: [UInt8] = []
            DeflateStream(level: 6).compress(plain, appendingTo: &compressed)
            out.writeBytes(compressed)
        }
        return Array(out.readableBytesView)
    }

    /// Decodes a payload. A provide is inflated by a fresh stream bounded to `inflateLimit`
    /// bytes, so a zlib bomb costs at most that much memory; data of formats other than those set
    /// in the flags is ignored.
    public static func decode(_ payload: [UInt8], inflateLimit: Int) throws(ExtendedClipboardError) -> ExtendedClipboardMessage {
        var buffer = ByteBuffer(bytes: payload)
        guard let flags = buffer.readInteger(as: UInt32.self) else { throw .truncated("no flags") }
        let formats = ClipboardFormats(rawValue: flags).intersection(.all)
        let actions = ClipboardActions(rawValue: flags).intersection(.all)
        if actions.contains(.caps) {
            var sizes: [ClipboardFormats: UInt32] = [:]
            for format in formats.members {
                guard let size = buffer.readInteger(as: UInt32.self) else {
                    throw .truncated("caps lists \(formats.members.count) formats but not all their sizes")
                }
                sizes[format] = size
            }
            return .caps(actions: actions, maximumSizes: sizes)
        }
        switch actions {
        case .request: return .request(formats)
        case .peek: return .peek
        case .notify: return .notify(formats)
        case .provide: break
        default: throw .invalidActions(flags)
        }
        let plain: [UInt8]
        do {
            plain = try InflateStream().decompress(Array(buffer.readableBytesView), limit: max(inflateLimit, 0))
        } catch {
            switch error {
            case .outputLimitExceeded: throw .inflatedTooLarge(limit: inflateLimit)
            case .corrupt(let why): throw .corrupt(why)
            }
        }
        var data = ByteBuffer(bytes: plain)
        var result: [ClipboardFormats: [UInt8]] = [:]
        for format in formats.members {
            guard let size = data.readInteger(as: UInt32.self) else { throw .truncated("provide ends before a format's size") }
            guard Int(size) <= data.readableBytes, let bytes = data.readBytes(length: Int(size)) else {
                throw .truncated("provide declares \(size) bytes but holds \(data.readableBytes)")
            }
            result[format] = bytes
        }
        return .provide(result)
    }
}

extension ByteBuffer {
    /// Writes an extended ServerCutText (rfbproto "Extended Clipboard Pseudo-Encoding"): type 3,
    /// 3 padding, S32 -(payload length), payload. Only for viewers that listed the pseudo-encoding.
    public mutating func writeExtendedServerCutText(_ message: ExtendedClipboardMessage) {
        writeExtendedCutText(message, messageType: ServerMessageType.serverCutText)
    }

    mutating func writeExtendedCutText(_ message: ExtendedClipboardMessage, messageType: UInt8) {
        let payload = ExtendedClipboard.encode(message)
        writeInteger(messageType)
        writeRepeatingByte(0, count: 3)
        writeInteger(Int32(truncatingIfNeeded: -payload.count))
        writeBytes(payload)
    }
}
