import NIOCore
import ZlibStreams

/// The codec of extended clipboard payloads (everything after the S32 length).
public enum ExtendedClipboard {
    /// Text in the wire form: UTF-8, each LF not already after a CR turned into CRLF, NUL-terminated.
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
