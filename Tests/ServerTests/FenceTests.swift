import NIOCore
import RFB
import Testing

/// rfbproto "Fence Pseudo-encoding", "ClientFence" and "ServerFence", byte for byte.
struct FenceTests {
    /// ServerFence with Request set and no payload: type 248, 3 padding, U32 flags, U8 length.
    private static let serverFenceRequest: [UInt8] = [248, 0, 0, 0, 0x80, 0, 0, 0, 0]

    @Test func announcingFenceMakesTheServerSendAFenceRequest() async throws {
        try await TestServer.with { server in
            let client = try await RawTestClient.connect(to: server.address)
            try await client.handshakeWithoutSecurity()
            await client.send(message(.setEncodings([.raw, .fence])))
            #expect(try await client.read(Self.serverFenceRequest.count) == Self.serverFenceRequest)

            // Announcing it again is not confirmed again.
            await client.send(message(.setEncodings([.raw, .fence])))
            await pause(0.3)
            #expect(client.takeAll().isEmpty)
            await client.close()
        }
    }

    @Test func withoutFenceTheServerSendsNoFence() async throws {
        try await TestServer.with { server in
            let client = try await RawTestClient.connect(to: server.address)
            try await client.handshakeWithoutSecurity()
            await client.send(message(.setEncodings([.raw])))
            await pause(0.3)
            #expect(client.takeAll().isEmpty)
            await client.close()
        }
    }

    @Test func fenceRequestIsAnsweredWithItsPayload() async throws {
        try await TestServer.with { server in
            let client = try await RawTestClient.connect(to: server.address)
            try await client.handshakeWithoutSecurity()
            await client.send(message(.setEncodings([.raw, .fence])))
            _ = try await client.read(Self.serverFenceRequest.count)
            // Answering the server's request needs no reply.
            await client.send(message(.fence(flags: [], payload: [])))

            // BlockBefore, BlockAfter, an unknown bit and Request; the full 64 bytes of payload.
            let payload = (0..<64).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
            let flags = FenceFlags(rawValue: 0x8000_0103)
            await client.send(message(.fence(flags: flags, payload: payload)))
            let answer = try await client.read(9 + payload.count)
            // Request and the unknown bit cleared, the understood flags kept, the payload as sent.
            #expect(answer == [248, 0, 0, 0, 0, 0, 0, 3, 64] + payload)

            await client.send(message(.fence(flags: .request, payload: Array("second".utf8))))
            #expect(try await client.read(15) == [248, 0, 0, 0, 0, 0, 0, 0, 6] + Array("second".utf8))
            await pause(0.2)
            #expect(client.takeAll().isEmpty)
            #expect(server.log.lines(containing: "disconnected").isEmpty)
            await client.close()
        }
    }

    private func message(_ message: ClientMessage) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeClientMessage(message)
        return Array(buffer.readableBytesView)
    }
}
