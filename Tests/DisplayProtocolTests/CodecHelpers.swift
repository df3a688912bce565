import DisplayProtocol
import NIOCore

/// Encoding and decoding helpers shared by the tests.
enum Codec {
    static func encode<Message: DisplayWireMessage>(_ message: Message, requestID: UInt32,
                                                    limits: DisplayProtocolLimits = .version1) throws -> (bytes: [UInt8], fds: [Int32]) {
        var buffer = ByteBuffer()
        let fds = try buffer.writeDisplayMessage(message, requestID: requestID, limits: limits)
        return (Array(buffer.readableBytesView), fds)
    }

    static func drain<Message>(_ decoder: inout DisplayMessageDecoder<Message>) throws -> [DecodedDisplayMessage<Message>] {
        var out: [DecodedDisplayMessage<Message>] = []
        while let message = try decoder.next() { out.append(message) }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.filter { $0.isHexDigit })
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}
