import RFB
import Testing

/// The output's clipboard between viewers: UTF-8 through Extended Clipboard (rfbproto "Extended
/// Clipboard Pseudo-Encoding") for those that list it, Latin-1 ClientCutText/ServerCutText
/// (RFC 6143 §7.5.6, §7.6.4) for the others.
struct ClipboardExchangeTests {
    @Test func textTravelsBetweenExtendedAndLatin1Viewers() async throws {
        try await TestServer.with { server in
            let sender = try await server.connectViewerWithPicture(.listing([.extendedClipboard]))
            let extended = try await server.connectViewerWithPicture(.listing([.extendedClipboard]))
            let latin1 = try await server.connectViewerWithPicture(.listing([]))
            // Each Extended Clipboard viewer got the server's caps when it listed the extension.
            #expect(await eventually(timeout: TestPatience.seconds) {
                sender.clipboardMessages.contains { if case .caps = $0 { true } else { false } }
            })

            let text = "Grüße ✓ 日本語\nzweite Zeile"
            await sender.clipboard(.providing(text: text))
            // The extended viewer is told, asks (TestViewer requests on notify) and gets the text.
            #expect(await eventually(timeout: TestPatience.seconds) { extended.providedTexts == [text] },
                    "got \(extended.clipboardMessages)")
            #expect(extended.clipboardMessages.contains(.notify(.text)))
            // The Latin-1 viewer gets what Latin-1 can say, "?" for the rest.
            let expectedLatin1: [UInt8] = Array("Gr".utf8) + [0xfc, 0xdf] + Array("e ? ???\nzweite Zeile".utf8)
            #expect(await eventually(timeout: TestPatience.seconds) { latin1.cutTexts == [expectedLatin1] },
                    "got \(latin1.cutTexts)")
            #expect(sender.providedTexts.isEmpty, "the sender got its own clipboard back")

            // Latin-1 from the plain viewer reaches the extended ones as text.
            await latin1.cutText([0x63, 0x61, 0x66, 0xe9, 0x20, 0xa9])
            #expect(await eventually(timeout: TestPatience.seconds) { sender.providedTexts == ["café ©"] },
                    "got \(sender.clipboardMessages)")
            #expect(await eventually(timeout: TestPatience.seconds) { extended.providedTexts == [text, "café ©"] })
            #expect(latin1.cutTexts == [expectedLatin1], "the Latin-1 sender got its own clipboard back")
        }
    }

    @Test func peekIsAnsweredWithTheFormatsHeld() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture(.listing([.extendedClipboard]))
            let other = try await server.connectViewerWithPicture(.listing([]))
            await viewer.clipboard(.peek)
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.clipboardMessages.contains(.notify([])) },
                    "an empty clipboard was not reported as empty: \(viewer.clipboardMessages)")
            await other.cutText(Array("hello".utf8))
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.providedTexts == ["hello"] })
        }
    }
}
