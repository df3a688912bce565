import Testing
import NIOCore
import RFB

struct ExtendedClipboardTests {
    @Test func textTravelsAsNulTerminatedUTF8WithCRLF() {
        #expect(ExtendedClipboard.wireText("a\nb\r\nç") == [0x61, 13, 10, 0x62, 13, 10, 0xc3, 0xa7, 0])
        #expect(ExtendedClipboard.text(fromWire: [0x61, 13, 10, 0x62, 0, 0x63]) == "a\nb", "the text ends at the NUL")
        #expect(ExtendedClipboardMessage.providing(text: "x\ny").text == "x\ny")
        #expect(ExtendedClipboardMessage.peek.text == nil)
    }

    @Test func capsListSizesInFormatOrder() throws {
        let caps = ExtendedClipboardMessage.caps(actions: [.caps, .provide], maximumSizes: [.html: 3, .text: 1, .rtf: 2])
        let payload = ExtendedClipboard.encode(caps)
        #expect(payload == [0x11, 0, 0, 0x07, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3])
        #expect(try ExtendedClipboard.decode(payload, inflateLimit: 100) == caps)
    }

    @Test func capsMissingASizeIsTruncated() {
        #expect(throws: ExtendedClipboardError.truncated("caps lists 2 formats but not all their sizes")) {
            try ExtendedClipboard.decode([0x01, 0, 0, 0x03, 0, 0, 0, 1], inflateLimit: 100)
        }
    }

    @Test func noActionOrSeveralActionsAreInvalid() {
        #expect(throws: ExtendedClipboardError.invalidActions(0x0000_0001)) { try ExtendedClipboard.decode([0, 0, 0, 1], inflateLimit: 100) }
        #expect(throws: ExtendedClipboardError.invalidActions(0x0600_0001)) { try ExtendedClipboard.decode([6, 0, 0, 1], inflateLimit: 100) }
    }

    @Test func provideRoundTripsAndIgnoresNothingItDeclares() throws {
        let message = ExtendedClipboardMessage.provide([.text: ExtendedClipboard.wireText("héllo"), .rtf: [1, 2, 3]])
        #expect(try ExtendedClipboard.decode(ExtendedClipboard.encode(message), inflateLimit: 1000) == message)
    }

    @Test func provideWithCorruptZlibIsAnError() {
        #expect(throws: ExtendedClipboardError.corrupt("incorrect header check")) {
            try ExtendedClipboard.decode([0x10, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef], inflateLimit: 1000)
        }
    }

    @Test func provideDeclaringMoreThanItHoldsIsTruncated() throws {
        // A provide of text whose inner size says 100 bytes but carries 2: build it from a
        // legitimate provide of html (same stream layout) relabelled as text plus rtf.
        let payload = ExtendedClipboard.encode(.provide([.text: [0x61, 0]]))
        var relabelled = payload
        relabelled[3] = 0x03 // text and rtf: the stream holds only the text entry
        #expect(throws: ExtendedClipboardError.truncated("provide ends before a format's size")) {
            try ExtendedClipboard.decode(relabelled, inflateLimit: 1000)
        }
    }

    @Test func zlibBombCostsAtMostTheLimit() {
        let payload = ExtendedClipboard.encode(.provide([.text: [UInt8](repeating: 0, count: 4 << 20)]))
        #expect(payload.count < 16 << 10)
        #expect(throws: ExtendedClipboardError.inflatedTooLarge(limit: 1 << 20)) {
            try ExtendedClipboard.decode(payload, inflateLimit: 1 << 20)
        }
    }
}
