import Testing
import NIOCore
import Geometry
import RFB

/// The rfbproto extension messages a viewer sends: round trips whole and byte by byte, wire
/// layouts, and hostile input refused from the smallest prefix that shows it.
struct ExtensionMessageCodecTests {
    static let messages: [ClientMessage] = [
        .extendedPointerEvent(buttonMask: 0x181, x: 10, y: 65535),
        .extendedPointerEvent(buttonMask: 0x7f80, x: 0, y: 0),
        .enableContinuousUpdates(enable: true, rect: Rect(x: 1, y: 2, width: 300, height: 400)),
        .enableContinuousUpdates(enable: false, rect: .zero),
        .fence(flags: [.request, .blockBefore, .syncNext], payload: Array(0..<64)),
        .fence(flags: [], payload: []),
        .setDesktopSize(DesktopLayout(size: Size(width: 3840, height: 1080), screens: [
            Screen(id: 1, rect: Rect(x: 0, y: 0, width: 1920, height: 1080)),
            Screen(id: 0xdead_beef, rect: Rect(x: 1920, y: 0, width: 1920, height: 1080), flags: 0x8000_0001),
        ])),
        .setDesktopSize(DesktopLayout(size: Size(width: 0, height: 0), screens: [])),
        .qemuExtendedKeyEvent(down: true, keysym: 0x41, keycode: 0x1e),
        .qemuExtendedKeyEvent(down: false, keysym: 0xff53, keycode: 0xcd),
        .extendedClientCutText(.portholeCaps(maximumTextSize: 1 << 20)),
        .extendedClientCutText(.caps(actions: [.caps, .notify], maximumSizes: [.text: 5, .html: 0, .dib: 7])),
        .extendedClientCutText(.request([.text, .rtf])),
        .extendedClientCutText(.peek),
        .extendedClientCutText(.notify([.text, .html])),
        .extendedClientCutText(.providing(text: "Grüße\nline two")),
        .extendedClientCutText(.provide([.text: [0x61, 0], .html: Array("<b>x</b>".utf8)])),
        .clientCutText(Latin1.bytes(from: "still Latin-1")),
        .pointerEvent(buttonMask: 0x7f, x: 3, y: 4),
    ]

    private func encode(_ messages: [ClientMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { buffer.writeClientMessage(message) }
        return buffer
    }

    private func extendedDecoder(limits: ClientMessageLimits = ClientMessageLimits()) -> ClientMessageDecoder {
        var decoder = ClientMessageDecoder(limits: limits)
        decoder.extendedMouseButtons = true
        decoder.extendedClipboard = true
        return decoder
    }

    private func bytes(_ message: ClientMessage) -> [UInt8] { Array(encode([message]).readableBytesView) }

    @Test(arguments: messages)
    func roundTripsWhole(_ message: ClientMessage) throws {
        var decoder = extendedDecoder()
        decoder.append(encode([message]))
        #expect(try decoder.next() == message)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: messages)
    func truncatedMessagesWaitUntilTheirLastByte(_ message: ClientMessage) throws {
        let bytes = bytes(message)
        var decoder = extendedDecoder()
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

    @Test func aStreamOfAllExtensionMessagesDecodesWhateverTheSplit() throws {
        let bytes = Array(encode(Self.messages).readableBytesView)
        for chunk in [1, 2, 3, 7, 16, 61, bytes.count] {
            var decoder = extendedDecoder()
            var decoded: [ClientMessage] = []
            var start = 0
            while start < bytes.count {
                decoder.append(bytes[start..<min(start + chunk, bytes.count)])
                while let message = try decoder.next() { decoded.append(message) }
                start += chunk
            }
            #expect(decoded == Self.messages, "chunk size \(chunk)")
        }
    }

    // MARK: Wire layouts

    @Test func wireLayoutOfExtendedPointerEvent() {
        // Buttons 1, 8 and 9: low seven bits plus the marker, position, then the high bits.
        #expect(bytes(.extendedPointerEvent(buttonMask: 0x181, x: 0x102, y: 3)) == [5, 0x81, 1, 2, 0, 3, 0x03])
    }

    @Test func wireLayoutOfEnableContinuousUpdates() {
        #expect(bytes(.enableContinuousUpdates(enable: true, rect: Rect(x: 1, y: 2, width: 0x304, height: 5)))
                == [150, 1, 0, 1, 0, 2, 3, 4, 0, 5])
    }

    @Test func wireLayoutOfFence() {
        #expect(bytes(.fence(flags: [.request, .blockAfter], payload: [9, 8])) == [248, 0, 0, 0, 0x80, 0, 0, 2, 2, 9, 8])
    }

    @Test func wireLayoutOfSetDesktopSize() {
        let layout = DesktopLayout(size: Size(width: 0x102, height: 0x304),
                                   screens: [Screen(id: 0x0506_0708, rect: Rect(x: 1, y: 2, width: 3, height: 4), flags: 9)])
        #expect(bytes(.setDesktopSize(layout)) == [251, 0, 1, 2, 3, 4, 1, 0, 5, 6, 7, 8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 0, 0, 9])
    }

    @Test func wireLayoutOfQEMUExtendedKeyEvent() {
        #expect(bytes(.qemuExtendedKeyEvent(down: true, keysym: 0xff53, keycode: 0xcd))
                == [255, 0, 0, 1, 0, 0, 0xff, 0x53, 0, 0, 0, 0xcd])
    }

    @Test func wireLayoutOfExtendedCutText() {
        #expect(bytes(.extendedClientCutText(.peek)) == [6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc, 0x04, 0, 0, 0])
        #expect(bytes(.extendedClientCutText(.caps(actions: [.caps, .request], maximumSizes: [.text: 0x10, .html: 2])))
                == [6, 0, 0, 0, 0xff, 0xff, 0xff, 0xf4, 0x03, 0, 0, 0x05, 0, 0, 0, 0x10, 0, 0, 0, 2])
    }

    // MARK: Extensions not negotiated

    @Test func pointerEventsKeepSixBytesUnlessExtendedMouseButtonsIsOn() throws {
        var decoder = ClientMessageDecoder()
        decoder.append([5, 0x80, 0, 1, 0, 2])
        #expect(try decoder.next() == .pointerEvent(buttonMask: 0x80, x: 1, y: 2), "bit 7 is button 8")
        var extended = extendedDecoder()
        extended.append([5, 0x00, 0, 1, 0, 2])
        #expect(try extended.next() == .pointerEvent(buttonMask: 0, x: 1, y: 2), "without the marker the event is six bytes")
    }

    @Test func negativeCutTextLengthsAreExtendedOnlyOnceNegotiated() throws {
        var decoder = ClientMessageDecoder()
        decoder.append([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc])
        #expect(throws: ClientMessageDecodingError.cutTextTooLong(length: 0xffff_fffc, limit: 1 << 20)) { try decoder.next() }
    }

    // MARK: Hostile input

    @Test func fencePayloadOver64BytesIsRefusedFromItsHeaderAlone() {
        var decoder = ClientMessageDecoder()
        decoder.append([248, 0, 0, 0, 0x80, 0, 0, 0, 65])
        #expect(throws: ClientMessageDecodingError.fencePayloadTooLong(length: 65)) { try decoder.next() }
        #expect(ClientMessageDecodingError.fencePayloadTooLong(length: 65).description == "ClientFence declares a 65-byte payload (at most 64)")
    }

    @Test func setDesktopSizeWithTooManyScreensIsRefusedFromItsHeaderAlone() {
        // The default reads all 255 a U8 can declare (the session answers "invalid screen layout"
        // for more than 64); a lower limit refuses from the header, before the screens arrive.
        var decoder = ClientMessageDecoder(limits: ClientMessageLimits(maximumScreenCount: 16))
        decoder.append([251, 0, 0xff, 0xff, 0xff, 0xff, 17, 0])
        #expect(throws: ClientMessageDecodingError.tooManyScreens(count: 17, limit: 16)) { try decoder.next() }
        var byDefault = ClientMessageDecoder()
        byDefault.append([251, 0, 0xff, 0xff, 0xff, 0xff, 255, 0])
        #expect((try? byDefault.next()) == .some(nil), "255 screens declared: the default waits for them")
    }

    @Test func setDesktopSizeWith255ScreensIsReadWhenTheLimitAllowsIt() throws {
        let screens = (0..<255).map { Screen(id: UInt32($0), rect: Rect(x: $0, y: 0, width: 1, height: 1)) }
        let message = ClientMessage.setDesktopSize(DesktopLayout(size: Size(width: 255, height: 1), screens: screens))
        var decoder = ClientMessageDecoder(limits: ClientMessageLimits(maximumScreenCount: 255))
        decoder.append(encode([message]))
        #expect(try decoder.next() == message)
    }

    @Test func unknownQEMUSubmessageIsAnError() {
        var decoder = ClientMessageDecoder()
        decoder.append([255, 1, 0, 0])
        #expect(throws: ClientMessageDecodingError.unknownQEMUSubmessage(1)) { try decoder.next() }
        #expect(ClientMessageDecodingError.unknownQEMUSubmessage(1).description == "unknown QEMU client submessage 1")
    }

    @Test func extendedCutTextOverTheLimitIsRefusedFromItsHeaderAlone() {
        var decoder = extendedDecoder(limits: ClientMessageLimits(maximumCutTextLength: 100))
        decoder.append([6, 0, 0, 0, 0x80, 0, 0, 0])
        #expect(throws: ClientMessageDecodingError.extendedCutTextTooLong(length: 1 << 31, limit: 100)) { try decoder.next() }
    }

    @Test func zlibBombIsRefusedAtTheInflateLimit() {
        let bomb = ClientMessage.extendedClientCutText(.provide([.text: [UInt8](repeating: 0x41, count: 1 << 20)]))
        let encoded = encode([bomb])
        #expect(encoded.readableBytes < 4096, "a megabyte of one letter compresses to almost nothing")
        var decoder = extendedDecoder(limits: ClientMessageLimits(maximumCutTextLength: 64 << 10))
        decoder.append(encoded)
        #expect(throws: ClientMessageDecodingError.malformedExtendedClipboard(.inflatedTooLarge(limit: 64 << 10))) { try decoder.next() }
    }

    @Test func extendedCutTextShorterThanItsFlagsIsAnError() {
        var decoder = extendedDecoder()
        decoder.append([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe, 0x10, 0])
        #expect(throws: ClientMessageDecodingError.malformedExtendedClipboard(.truncated("no flags"))) { try decoder.next() }
    }
}
