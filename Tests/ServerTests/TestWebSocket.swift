import Foundation

/// The client side of RFC 6455, written independently of NIOWebSocket, so that the server is
/// checked against the RFC rather than against its own library.
enum TestWebSocket {
    /// The example key of RFC 6455 §1.3 and the accept value the RFC gives for it.
    static let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
    static let sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    static let continuation: UInt8 = 0x0, text: UInt8 = 0x1, binary: UInt8 = 0x2
    static let close: UInt8 = 0x8, ping: UInt8 = 0x9, pong: UInt8 = 0xA

    struct Frame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
        var masked: Bool

        /// The status code of a Close frame (RFC 6455 §5.5.1).
        var closeCode: Int? {
            payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// An opening handshake (RFC 6455 §4.1); `key: nil` leaves out Sec-WebSocket-Key.
    static func handshake(key: String? = sampleKey, protocols: [String] = [], path: String = "/websockify") -> [UInt8] {
        var lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Version: 13", "Origin: http://127.0.0.1"]
        if let key { lines.append("Sec-WebSocket-Key: \(key)") }
        if !protocols.isEmpty { lines.append("Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A frame header (RFC 6455 §5.2) for a payload of `length` bytes.
    static func header(opcode: UInt8, length: UInt64, fin: Bool = true, mask: [UInt8]?) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if length < 126 {
            bytes.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            bytes.append(maskBit | 126)
            bytes += [UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((length >> (UInt64($0) * 8)) & 0xFF) }
        }
        if let mask { bytes += mask }
        return bytes
    }

    /// A whole frame; client frames are masked (RFC 6455 §5.3) unless `mask` is nil.
    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, mask: [UInt8]? = [0x37, 0xfa, 0x21, 0x3d]) -> [UInt8] {
        var bytes = header(opcode: opcode, length: UInt64(payload.count), fin: fin, mask: mask)
        if let mask {
            bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        } else {
            bytes += payload
        }
        return bytes
    }

    /// Takes one whole frame off the front of `bytes`, or nil when it has not all arrived.
    static func takeFrame(_ bytes: inout [UInt8]) -> Frame? {
        guard bytes.count >= 2 else { return nil }
        let fin = bytes[0] & 0x80 != 0, opcode = bytes[0] & 0x0F, masked = bytes[1] & 0x80 != 0
        var length = UInt64(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
            offset = 10
        }
        var mask: [UInt8]?
        if masked {
            guard bytes.count >= offset + 4 else { return nil }
            mask = Array(bytes[offset..<offset + 4])
            offset += 4
        }
        guard bytes.count >= offset + Int(length) else { return nil }
        var payload = Array(bytes[offset..<offset + Int(length)])
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        bytes.removeFirst(offset + Int(length))
        return Frame(fin: fin, opcode: opcode, payload: payload, masked: masked)
    }

    /// Takes an HTTP response head (through the blank line) off the front of `bytes`.
    static func takeHTTPHead(_ bytes: inout [UInt8]) -> String? {
        let end = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let at = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == end }) else { return nil }
        let head = String(decoding: bytes[..<at], as: UTF8.self)
        bytes.removeFirst(at + 4)
        return head
    }

    /// The value of header `name` in an HTTP head, if present.
    static func header(named name: String, in head: String) -> String? {
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
