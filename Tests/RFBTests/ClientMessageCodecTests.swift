import Testing
import NIOCore
import Geometry
import Pixels
import RFB

struct ClientMessageCodecTests {
    static let messages: [ClientMessage] = [
        .setPixelFormat(.xrgb8888),
        .setPixelFormat(.rgb565),
        .setPixelFormat(PixelFormat(bitsPerPixel: 16, depth: 15, bigEndian: true, trueColour: true,
                                    redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0)),
        .setEncodings([]),
        .setEncodings([.zrle, .hextile, .copyRect, .raw, .desktopSize, .lastRect, Encoding(-247), Encoding(-23), Encoding(0x574d5664)]),
        .framebufferUpdateRequest(incremental: false, rect: Rect(x: 0, y: 0, width: 1920, height: 1080)),
        .framebufferUpdateRequest(incremental: true, rect: Rect(x: 65535, y: 1, width: 2, height: 65535)),
        .keyEvent(down: true, keysym: 0xff0d),
        .keyEvent(down: false, keysym: 0x0100_20ac),
        .pointerEvent(buttonMask: 0b1000_0001, x: 640, y: 65535),
        .clientCutText([]),
        .clientCutText(Latin1.bytes(from: "Grüße, ¿qué?")),
    ]

    private func encode(_ messages: [ClientMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { buffer.writeClientMessage(message) }
        return buffer
    }

    private func decodeAll(_ decoder: inout ClientMessageDecoder) throws -> [ClientMessage] {
        var out: [ClientMessage] = []
        while let message = try decoder.next() { out.append(message) }
        return out
    }

    @Test(arguments: messages)
    func roundTripsWhole(_ message: ClientMessage) throws {
        var decoder = ClientMessageDecoder()
        decoder.append(encode([message]))
        #expect(try decoder.next() == message)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: messages)
    func roundTripsFedByteByByte(_ message: ClientMessage) throws {
        let bytes = Array(encode([message]).readableBytesView)
        var decoder = ClientMessageDecoder()
        var decoded: [ClientMessage] = []
        for (index, byte) in bytes.enumerated() {
            decoder.append([byte])
            if let message = try decoder.next() {
                #expect(index == bytes.count - 1, "a message must only come out once its last byte is in")
                decoded.append(message)
            }
        }
        #expect(decoded == [message])
    }

    @Test func aStreamOfAllMessagesDecodesInOrderWhateverTheSplit() throws {
        let bytes = Array(encode(Self.messages).readableBytesView)
        for chunk in [1, 2, 3, 5, 7, 19, 64, bytes.count] {
            var decoder = ClientMessageDecoder()
            var decoded: [ClientMessage] = []
            var start = 0
            while start < bytes.count {
                decoder.append(bytes[start..<min(start + chunk, bytes.count)])
                decoded += try decodeAll(&decoder)
                start += chunk
            }
            #expect(decoded == Self.messages, "chunk size \(chunk)")
        }
    }

    @Test func wireLayoutOfFramebufferUpdateRequest() {
        let bytes = Array(encode([.framebufferUpdateRequest(incremental: true, rect: Rect(x: 1, y: 2, width: 0x304, height: 5))]).readableBytesView)
        #expect(bytes == [3, 1, 0, 1, 0, 2, 3, 4, 0, 5])
    }

    @Test func wireLayoutOfKeyAndPointerEvents() {
        #expect(Array(encode([.keyEvent(down: true, keysym: 0x0102_0304)]).readableBytesView) == [4, 1, 0, 0, 1, 2, 3, 4])
        #expect(Array(encode([.pointerEvent(buttonMask: 5, x: 0x102, y: 3)]).readableBytesView) == [5, 5, 1, 2, 0, 3])
    }

    @Test func unknownMessageTypeIsAnError() {
        var decoder = ClientMessageDecoder()
        decoder.append([7, 0, 0, 0])
        #expect(throws: ClientMessageDecodingError.unknownMessageType(7)) { try decoder.next() }
    }

    @Test func afterAnErrorTheDecoderStaysFailed() {
        var decoder = ClientMessageDecoder()
        decoder.append([200])
        #expect(throws: ClientMessageDecodingError.unknownMessageType(200)) { try decoder.next() }
        decoder.append(encode([.keyEvent(down: true, keysym: 1)]))
        #expect(throws: ClientMessageDecodingError.unknownMessageType(200)) { try decoder.next() }
    }

    @Test func truncatedMessageWaitsThenCompletes() throws {
        let bytes = Array(encode([.setEncodings([.raw, .zrle])]).readableBytesView)
        var decoder = ClientMessageDecoder()
        decoder.append(bytes.prefix(9))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 9)
        decoder.append(bytes.dropFirst(9))
        #expect(try decoder.next() == .setEncodings([.raw, .zrle]))
    }

    @Test func cutTextDeclaring4GiBIsRefusedFromItsHeaderAlone() {
        var decoder = ClientMessageDecoder()
        decoder.append([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])
        #expect(throws: ClientMessageDecodingError.cutTextTooLong(length: 0xffff_ffff, limit: 1 << 20)) { try decoder.next() }
    }

    @Test func cutTextLimitIsConfigurable() throws {
        var decoder = ClientMessageDecoder(limits: ClientMessageLimits(maximumCutTextLength: 4))
        decoder.append(encode([.clientCutText([1, 2, 3, 4])]))
        #expect(try decoder.next() == .clientCutText([1, 2, 3, 4]))
        decoder.append(encode([.clientCutText([1, 2, 3, 4, 5])]))
        #expect(throws: ClientMessageDecodingError.cutTextTooLong(length: 5, limit: 4)) { try decoder.next() }
    }

    @Test func setEncodingsWith65535EntriesIsRefusedFromItsHeaderAlone() {
        var decoder = ClientMessageDecoder()
        decoder.append([2, 0, 0xff, 0xff])
        #expect(throws: ClientMessageDecodingError.tooManyEncodings(count: 65535, limit: 1024)) { try decoder.next() }
    }

    @Test func setEncodingsAtTheLimitIsAccepted() throws {
        let encodings = (0..<1024).map { Encoding(Int32($0)) }
        var decoder = ClientMessageDecoder()
        decoder.append(encode([.setEncodings(encodings)]))
        #expect(try decoder.next() == .setEncodings(encodings))
    }

    @Test func errorsDescribeThemselves() {
        #expect(ClientMessageDecodingError.unknownMessageType(9).description == "unknown client message type 9")
        #expect(ClientMessageDecodingError.cutTextTooLong(length: 10, limit: 5).description == "ClientCutText declares 10 bytes (limit 5)")
        #expect(ClientMessageDecodingError.tooManyEncodings(count: 2000, limit: 1024).description == "SetEncodings lists 2000 encodings (limit 1024)")
    }

    @Test func nonZeroFlagBytesCountAsTrue() throws {
        var decoder = ClientMessageDecoder()
        decoder.append([4, 0x80, 0, 0, 0, 0, 0, 0x41])
        #expect(try decoder.next() == .keyEvent(down: true, keysym: 0x41))
    }
}
