import Foundation
import RFB
import RFBClient
import Testing
import VNCAuth

/// Viewers that go wrong before the session starts: garbage instead of a protocol version, a
/// connection that never speaks, and password guessing (RFC 6143 §7.1, §7.2.2).
struct HandshakeAbuseTests {
    @Test func garbageProtocolVersionIsRefused() async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await RawTestClient.connect(to: server.address)
            #expect(try await offender.read(12) == Array("RFB 003.008\n".utf8))
            await offender.send(Array("GET / HTTP/1.1\r\n".utf8))
            #expect(await offender.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: malformed protocol version \"GET / HTTP/1\""))
            try await server.expectStillServing(bystander)
        }
    }

    /// RFC 6143 §7.1.1: a version other than 3.3, 3.7 or 3.8 is spoken to as 3.3 (the security
    /// type as a U32, no SecurityResult after None), and the connect line says what it answered.
    @Test(arguments: [("RFB 004.000\n", "4.0"), ("RFB 003.005\n", "3.5")])
    func unpublishedVersionIsSpokenToAs33(answer: String, shown: String) async throws {
        try await TestServer.with { server in
            let viewer = try await RawTestClient.connect(to: server.address)
            #expect(try await viewer.read(12) == Array("RFB 003.008\n".utf8))
            await viewer.send(Array(answer.utf8))
            #expect(try await viewer.read(4) == [0, 0, 0, 1])
            await viewer.send([1])
            let header = try await viewer.read(24)
            #expect(header[0...3] == [0, 160, 0, 120])
            #expect(await server.log.waitForLine(containing: "connected (#1, RFB 3.3 (it answered \(shown);"))
        }
    }

    @Test func silentConnectionStaysWithoutDisturbingOthers() async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let silent = try await RawTestClient.connect(to: server.address)
            #expect(try await silent.read(12) == Array("RFB 003.008\n".utf8))
            await pause(0.5)
            #expect(!silent.isClosed)
            #expect(server.server.viewerCount == 2)
            try await server.expectStillServing(bystander)
            #expect(!silent.isClosed)
            await silent.close()
        }
    }

    @Test func silentConnectionIsClosedAfterTheHandshakeTimeout() async throws {
        var configuration = TestServer.configuration()
        configuration.handshakeTimeout = 5
        try await TestServer.with(configuration: configuration) { server in
            // A viewer that completes the handshake in time is not affected by its timer.
            let viewer = try await server.connectViewerWithPicture()
            let silent = try await RawTestClient.connect(to: server.address)
            #expect(try await silent.read(12) == Array("RFB 003.008\n".utf8))
            #expect(await silent.waitUntilClosed(timeout: TestPatience.seconds))
            #expect(await eventually(timeout: TestPatience.seconds) { server.log.lines(containing: "handshake was not completed within 5.0 s").count == 1 })
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })
            try await server.expectStillServing(viewer)
        }
    }

    @Test func wrongPasswordsAreLoggedAndThrottled() async throws {
        var configuration = TestServer.configuration()
        configuration.password = Array("secret".utf8)
        try await TestServer.with(configuration: configuration) { server in
            var wrong = TestViewer.Options()
            wrong.password = Array("guess".utf8)
            // AuthenticationThrottle's default policy blocks an address after five failures.
            for attempt in 1...5 {
                let viewer = try await TestViewer.open(to: server.address, options: wrong)
                #expect(await viewer.waitUntilClosed(), "attempt \(attempt)")
                #expect(viewer.error == .authenticationFailed(reason: "authentication failed"), "attempt \(attempt)")
            }
            // Each failure is logged (and counted) before the viewer is told of it.
            #expect(server.log.lines(containing: "warning", "failed VNC authentication").count == 5)

            // RFC 6143 §7.1.2 (3.8): no security types, then the reason.
            let blocked = try await RawTestClient.connect(to: server.address)
            _ = try await blocked.read(12)
            await blocked.send(Array("RFB 003.008\n".utf8))
            #expect(try await blocked.read(1) == [0])
            let length = try await blocked.read(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(String(decoding: try await blocked.read(length), as: UTF8.self) == "too many authentication failures")
            #expect(await blocked.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: too many authentication failures"))

            // Blocked means blocked: the right password is not even asked for.
            var right = TestViewer.Options()
            right.password = Array("secret".utf8)
            let rightButBlocked = try await TestViewer.open(to: server.address, options: right)
            #expect(await rightButBlocked.waitUntilClosed())
            #expect(rightButBlocked.error == .connectionRefused(reason: "too many authentication failures"))
        }
    }

    /// Guesses made over connections opened before the address was blocked are throttled too:
    /// the block is checked again when an answer arrives, so once five answers failed, a sixth
    /// connection's answer is not checked at all, even with the right password.
    @Test func parallelGuessesCannotOutrunTheThrottle() async throws {
        var configuration = TestServer.configuration()
        configuration.password = Array("secret".utf8)
        try await TestServer.with(configuration: configuration) { server in
            // Six connections, all shown the challenge while the address is still allowed.
            var challenged: [(client: RawTestClient, challenge: [UInt8])] = []
            for _ in 0..<6 {
                let client = try await RawTestClient.connect(to: server.address)
                _ = try await client.read(12)
                await client.send(Array("RFB 003.008\n".utf8))
                #expect(try await client.read(2) == [1, 2])
                await client.send([2])
                challenged.append((client, try await client.read(16)))
            }
            for (client, _) in challenged.prefix(5) {
                await client.send([UInt8](repeating: 0x55, count: 16))
                #expect(try await client.read(4) == [0, 0, 0, 1])
            }
            #expect(await eventually(timeout: TestPatience.seconds) {
                server.log.lines(containing: "failed VNC authentication").count == 5
            })
            let (last, challenge) = challenged[5]
            await last.send(VNCAuthentication.response(challenge: challenge, password: Array("secret".utf8)))
            #expect(try await last.read(4) == [0, 0, 0, 1], "the right password got through a blocked address")
            #expect(await last.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "failed VNC authentication (not checked: its address was blocked"))
        }
    }

    @Test func rightPasswordIsAccepted() async throws {
        var configuration = TestServer.configuration()
        configuration.password = Array("secret".utf8)
        try await TestServer.with(configuration: configuration) { server in
            var options = TestViewer.Options()
            options.password = Array("secret".utf8)
            let viewer = try await server.connectViewerWithPicture(options)
            #expect(viewer.isConnected)
            #expect(server.log.lines(containing: "failed VNC authentication").isEmpty)
        }
    }
}
