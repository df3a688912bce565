import DisplayProtocol
import Foundation
import Testing

/// Pins the byte layout of every message type: the codec must produce exactly these bytes, decode
/// them back, and docs/protocol.md must show the same bytes as the example of that type.
struct GoldenBytesTests {
    static let clientHex: [String] = [
        "2b000000010000000100000050525448010000000100030000000000000000000000000000000000766d31", // Hello
        "3b0000001000000002000000800700003804000060ea000000050000d002000060ea00000000000000000000080200002201000003000000562d31", // CreateOutput
        "10000000110000000300000005000000", // DestroyOutput
        "10000000120000000400000005000000", // CreatePlane
        "10000000130000000500000009000000", // DestroyPlane
        "2c000000140001000600000058523234000000000000000080020000e0010000000a00000000000001000000", // CreateFramebuffer
        "10000000150000000700000003000000", // DestroyFramebuffer
        "70000000160000000800000002000000010001000500000004000000000000000000000000000000800700000000000006000000030000000000000000000000000080020000e001000000000000000080020000e00100000000ffff0100000008000000100000002000000004000000", // Commit
        "0c0000001700010009000000", // SetFlipEventFD
        "0c000000200000000a000000", // ListOutputs
        "10000000210000000b00000005000000", // Subscribe
        "10000000220000000c00000005000000", // Unsubscribe
        "1c000000230000000d00000005000000010000002a00000000000000", // FrameReleased
        "1c000000300000000e00000005000000610000001e00000001000000", // KeyInput
        "1c000000310000000f0000000500000064000000feffffff01000000", // PointerInput
        "170000003200000010000000050000000300000068c3a9", // SetClipboardText
        "2400000033000000110000000100000005000000000400000003000000fcffff00000000", // RequestLayout
    ]

    static let serverHex: [String] = [
        "3000000001800000010000000100000002000000101112131415161718191a1b1c1d1e1f000001004000000000010000", // Welcome
        "1e000000028000000600000005000a00000000006e6f74207365616c6564", // Error
        "0c0000000380000003000000", // Done
        "180000001080000002000000050000000600000007000000", // OutputCreated
        "10000000118000000400000009000000", // PlaneCreated
        "10000000128000000600000003000000", // FramebufferCreated
        "0c0000001380000008000000", // CommitAccepted
        "16000000148000000800000002000200030000006662", // CommitRejected
        "240000002080000000000000050000002a0000000000000000ca9a3b0000000008000000", // PageFlip
        "10000000218000000000000003000000", // Release
        "2400000022800000000000000100000005000000000400000003000000fcffff00000000", // LayoutRequest
        "1c000000238000000000000005000000610000001e00000001000000", // KeyEvent
        "1c00000024800000000000000500000064000000feffffff01000000", // PointerEvent
        "170000002580000000000000050000000300000068c3a9", // ClipboardText
        "10000000268000000000000005000000", // OutputRemoved
        "36000000308000000a0000000100000005000000800700003804000060ea000000000000000000000300030003000000562d31766d31", // Outputs
        "10000000318000000b00000005000000", // Subscribed
        "28000000328002000000000005000000585232348007000038040000001e000000907e0002000000", // ScanoutBuffers
        "380000003380000000000000050000002a00000000000000010002000a000000140000000100000000000000000000004000000040000000", // FrameReady
        "200000003480000000000000050000000100010000000000000000000000ffff", // CursorImage
    ]

    static let protocolDocument: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// The hex digits of the `number`th `hex` code block (0: the first) in the section whose
    /// heading names `type`, as in "### 5.2 CreateOutput (0x0010)".
    static func documentedExample(of type: DisplayMessageType, number: Int = 0) -> String? {
        let lines = protocolDocument.split(separator: "\n", omittingEmptySubsequences: false)
        guard let heading = lines.firstIndex(where: { $0.hasPrefix("### ") && $0.hasSuffix("(\(type.hexDescription))") }) else { return nil }
        let sectionEnd = lines[(heading + 1)...].firstIndex(where: { $0.hasPrefix("#") }) ?? lines.endIndex
        var searchFrom = heading
        for index in 0...number {
            guard let open = lines[searchFrom..<sectionEnd].firstIndex(where: { $0 == "```hex" }),
                  let close = lines[(open + 1)..<sectionEnd].firstIndex(where: { $0 == "```" })
            else { return nil }
            if index == number { return lines[(open + 1)..<close].joined().filter(\.isHexDigit).lowercased() }
            searchFrom = close + 1
        }
        return nil
    }

    @Test func theDocumentDescribesExactlyTheTypesTheCodecKnows() {
        let documented = Set(Self.protocolDocument.split(separator: "\n").filter { $0.hasPrefix("### ") }.compactMap { line -> UInt16? in
            guard let range = line.range(of: "(0x") else { return nil }
            return UInt16(line[range.upperBound...].prefix(4), radix: 16)
        })
        let known = Set((DisplayMessageType.clientToServer + DisplayMessageType.serverToClient).map(\.rawValue))
        #expect(!Self.protocolDocument.isEmpty)
        #expect(documented == known)
    }

    @Test(arguments: SampleMessages.goldenClient.indices)
    func clientMessageHasItsDocumentedBytes(_ index: Int) throws {
        let sample = SampleMessages.goldenClient[index]
        let (bytes, fds) = try Codec.encode(sample.message, requestID: sample.requestID)
        #expect(Codec.hex(bytes) == Self.clientHex[index])
        #expect(Self.documentedExample(of: sample.message.messageType) == Self.clientHex[index])
        var decoder = ClientToServerDecoder()
        decoder.append(Codec.bytes(hex: Self.clientHex[index]))
        decoder.appendFDs(fds)
        #expect(try decoder.next() == DecodedDisplayMessage(requestID: sample.requestID, message: sample.message))
    }

    /// §5.8's second example, a version 1.2 Commit with a move: the scrolled plane of the samples.
    static let commitWithMoveHex = [
        "6c0000001600000008000000",         // header: 108 bytes, Commit, request id 8
        "02000000000001000600000003000000", // want PageFlip, 0 outputs, 1 plane; plane 6, framebuffer 3
        "0000000000000000000080020000e001", // source 640x480 in 16.16
        "000000000000000080020000e0010000", // destination 640x480
        "0000ffff0100010000000000d0010000", // zpos 0, alpha opaque, 1 damage rect, 1 move; damage at (0, 464)
        "80020000100000000000000000000000", // ... 640x16; move destination at (0, 0)
        "80020000d00100000000000010000000", // ... 640x464, source (0, 16)
    ].joined()

    @Test func theCommitWithAMoveHasItsDocumentedBytes() throws {
        let message = ClientToServerMessage.commit(CommitRequest(flags: [.pageFlipEvent], planes: [SampleMessages.scrolledPlane]))
        let (bytes, _) = try Codec.encode(message, requestID: 8)
        #expect(bytes.count == 108)
        #expect(Codec.hex(bytes) == Self.commitWithMoveHex)
        #expect(Self.documentedExample(of: .commit, number: 1) == Self.commitWithMoveHex)
        #expect(Self.documentedExample(of: .commit, number: 2) == nil, "§5.8 shows two examples")
        var decoder = ClientToServerDecoder()
        decoder.append(Codec.bytes(hex: Self.commitWithMoveHex))
        #expect(try decoder.next() == DecodedDisplayMessage(requestID: 8, message: message))
    }

    @Test(arguments: SampleMessages.goldenServer.indices)
    func serverMessageHasItsDocumentedBytes(_ index: Int) throws {
        let sample = SampleMessages.goldenServer[index]
        let (bytes, fds) = try Codec.encode(sample.message, requestID: sample.requestID)
        #expect(Codec.hex(bytes) == Self.serverHex[index])
        #expect(Self.documentedExample(of: sample.message.messageType) == Self.serverHex[index])
        var decoder = ServerToClientDecoder()
        decoder.append(Codec.bytes(hex: Self.serverHex[index]))
        decoder.appendFDs(fds)
        #expect(try decoder.next() == DecodedDisplayMessage(requestID: sample.requestID, message: sample.message))
    }
}
