import RFB
import Testing

/// The server messages that are not pictures: Bell (RFC 6143 §7.6.3) when the source rings, and
/// DesktopName (rfbproto "DesktopName Pseudo-encoding") when the output is renamed.
struct BellAndNameTests {
    @Test func everyViewerHearsTheBell() async throws {
        try await TestServer.with { server in
            let first = try await server.connectViewerWithPicture()
            let second = try await server.connectViewerWithPicture()
            server.source.ringBell()
            #expect(await eventually(timeout: TestPatience.seconds) { first.bells == 1 && second.bells == 1 })
            await pause(0.3)
            #expect(first.bells == 1, "one ring, one Bell")
        }
    }

    @Test func renamingReachesViewersThatTakeDesktopName() async throws {
        try await TestServer.with { server in
            var withName = TestViewer.Options()
            withName.encodings = [.raw, .desktopName]
            let taker = try await server.connectViewerWithPicture(withName)
            var without = TestViewer.Options()
            without.encodings = [.raw]
            let other = try await server.connectViewerWithPicture(without)
            server.server.output.rename(to: "Büro-Anzeige")
            #expect(await eventually(timeout: TestPatience.seconds) { taker.names == ["Büro-Anzeige"] })
            // The other viewer never asked for DesktopName, so it gets nothing it cannot parse.
            try await server.expectStillServing(other)
            #expect(other.names.isEmpty)
            #expect(!other.isClosed)
        }
    }
}
