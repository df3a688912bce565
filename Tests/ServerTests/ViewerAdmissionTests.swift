import Testing

/// `--max-viewers`: past the limit a viewer is refused with a log line and a reason it can show, and
/// the viewers already connected keep working.
struct ViewerAdmissionTests {
    @Test func viewerBeyondTheLimitIsRefused() async throws {
        var configuration = TestServer.configuration()
        configuration.maxViewers = 2
        try await TestServer.with(configuration: configuration) { server in
            let first = try await server.connectViewerWithPicture()
            let second = try await server.connectViewerWithPicture()
            // The third is told why, in the security step (RFC 6143 §7.1.2), and then closed.
            let third = try await RawTestClient.connect(to: server.address)
            #expect(try await third.read(12) == Array("RFB 003.008\n".utf8))
            await third.send(Array("RFB 003.008\n".utf8))
            let reason = "the server is full: 2 viewers are connected"
            let refusal = try await third.read(5 + reason.utf8.count)
            #expect(refusal == [0, 0, 0, 0, UInt8(reason.utf8.count)] + Array(reason.utf8))
            #expect(await third.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "refused: 2 viewers already connected"))
            #expect(server.server.viewerCount == 2)

            server.source.fill(.init(x: 0, y: 0, width: 30, height: 30), with: 0x00ff8800)
            let expected = server.source.latest
            #expect(await first.waitForFramebuffer(expected))
            #expect(await second.waitForFramebuffer(expected))

            // A place freed is a place taken.
            await first.close()
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })
            let replacement = try await server.connectViewerWithPicture()
            #expect(!replacement.isClosed)
        }
    }

    /// Stopping the server (SIGTERM, SIGINT) closes every viewer, and each disconnect line says
    /// the server did it, not the viewer.
    @Test func stoppingTheServerLogsWhyViewersWereDisconnected() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture()
            await server.server.stop()
            #expect(await viewer.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: the server is shutting down"))
            #expect(server.log.lines(containing: "disconnected: the viewer closed the connection").isEmpty)
        }
    }
}
