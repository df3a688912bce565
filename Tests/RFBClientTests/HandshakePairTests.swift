import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBClient

struct HandshakePairTests {
    static let versions: [ProtocolVersion] = [.v3_3, .v3_7, .v3_8]
    static let seeds: [UInt64] = [1, 2, 3, 4, 5]

    @Test(arguments: versions, seeds)
    func noneSecurityConnects(version: ProtocolVersion, seed: UInt64) {
        var pair = ConnectionPair(serverPassword: nil, clientPassword: nil, clientVersion: version, seed: seed)
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.serverClosed == nil)
        #expect(pair.client.version == version)
        #expect(pair.server.version == version)
        #expect(pair.clientActions.contains(.connected(ServerInitInfo(size: Size(width: 64, height: 48), pixelFormat: .xrgb8888, name: "Porthole test"))))
        #expect(pair.client.framebuffer.size == Size(width: 64, height: 48))
        #expect(pair.session != nil)
    }

    @Test(arguments: versions, seeds)
    func rightPasswordConnects(version: ProtocolVersion, seed: UInt64) {
        var pair = ConnectionPair(serverPassword: Array("hunter2".utf8), clientPassword: Array("hunter2".utf8), clientVersion: version, seed: seed)
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.client.isConnected)
        #expect(pair.serverHandshakeActions.contains(.authenticationSucceeded))
        #expect(pair.client.name == "Porthole test")
    }

    @Test(arguments: versions, seeds)
    func wrongPasswordFails(version: ProtocolVersion, seed: UInt64) {
        var pair = ConnectionPair(serverPassword: Array("hunter2".utf8), clientPassword: Array("hunter3".utf8), clientVersion: version, seed: seed)
        pair.run()
        #expect(pair.serverHandshakeActions.contains(.authenticationFailed))
        #expect(pair.serverClosed == "authentication failed")
        #expect(!pair.client.isConnected)
        let expectedReason: String? = version == .v3_8 ? "authentication failed" : nil
        #expect(pair.clientError == .authenticationFailed(reason: expectedReason))
    }

    @Test(arguments: versions)
    func missingPasswordIsReportedByTheClient(version: ProtocolVersion) {
        var pair = ConnectionPair(serverPassword: Array("pw".utf8), clientPassword: nil, clientVersion: version, seed: 9)
        pair.run()
        #expect(pair.clientError == .passwordRequired)
    }

    @Test(arguments: versions)
    func throttledViewerIsToldWhy(version: ProtocolVersion) {
        var pair = ConnectionPair(serverPassword: Array("pw".utf8), clientPassword: Array("pw".utf8), clientVersion: version,
                                  authenticationAllowed: false, seed: 11)
        pair.run()
        #expect(pair.serverClosed == "too many authentication failures")
        #expect(pair.clientError == .connectionRefused(reason: "too many authentication failures"))
        #expect(!pair.serverHandshakeActions.contains(.authenticationFailed))
    }

    @Test func clientWithAPasswordStillTakesNoneWhenThatIsAllThereIs() {
        var pair = ConnectionPair(serverPassword: nil, clientPassword: Array("pw".utf8), clientVersion: .v3_8, seed: 12)
        pair.run()
        #expect(pair.client.isConnected)
    }

    @Test func clientAnswers38ToANewerServerAnd33ToAnAppleOne() {
        var client = ClientStateMachine(decoders: [:])
        #expect(client.receive(ByteBuffer(bytes: Array("RFB 004.001\n".utf8))) == [.send(ByteBuffer(bytes: Array("RFB 003.008\n".utf8)))])
        var apple = ClientStateMachine(decoders: [:])
        #expect(apple.receive(ByteBuffer(bytes: Array("RFB 003.889\n".utf8))) == [.send(ByteBuffer(bytes: Array("RFB 003.003\n".utf8)))])
    }

    @Test func clientRefusesGarbageVersion() {
        var client = ClientStateMachine(decoders: [:])
        let actions = client.receive(ByteBuffer(bytes: Array("SSH-2.0-Open".utf8)))
        #expect(actions == [.error(.badVersion(.malformed(Array("SSH-2.0-Open".utf8))))])
        #expect(client.receive(ByteBuffer(bytes: [1, 2, 3])).isEmpty)
    }

    @Test func clientRefusesAServerOfferingOnlyUnknownTypes() {
        var client = ClientStateMachine(decoders: [:])
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.008\n".utf8)))
        #expect(client.receive(ByteBuffer(bytes: [2, 16, 19])) == [.error(.noSupportedSecurityType([SecurityType(rawValue: 16), SecurityType(rawValue: 19)]))])
    }

    @Test func clientBoundsTheReasonString() {
        var client = ClientStateMachine(decoders: [:])
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.008\n".utf8)))
        #expect(client.receive(ByteBuffer(bytes: [0, 0xff, 0xff, 0xff, 0xff]))
                == [.error(.lengthTooLarge(field: "failure reason", length: 0xffff_ffff, limit: 64 << 10))])
    }

    @Test func clientBoundsTheServerInitName() {
        var client = ClientStateMachine(decoders: [:])
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.003\n".utf8)))
        _ = client.receive(ByteBuffer(bytes: [0, 0, 0, 1]))
        var serverInit = ByteBuffer()
        serverInit.writeInteger(UInt16(10)); serverInit.writeInteger(UInt16(10))
        serverInit.writePixelFormat(.xrgb8888)
        serverInit.writeInteger(UInt32(0x7fff_ffff))
        #expect(client.receive(serverInit) == [.error(.lengthTooLarge(field: "desktop name", length: 0x7fff_ffff, limit: 64 << 10))])
    }

    @Test func clientBoundsTheFramebufferSize() {
        var client = ClientStateMachine(configuration: ClientConfiguration(limits: ClientLimits(maximumFramebufferPixels: 1000)), decoders: [:])
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.003\n".utf8)))
        _ = client.receive(ByteBuffer(bytes: [0, 0, 0, 1]))
        var serverInit = ByteBuffer()
        serverInit.writeServerInit(size: Size(width: 100, height: 100), format: .xrgb8888, name: "")
        #expect(client.receive(serverInit) == [.error(.framebufferTooLarge(Size(width: 100, height: 100)))])
    }

    @Test func messagesFromTheClientReachTheSessionAfterTheHandshake() throws {
        var pair = ConnectionPair(serverPassword: nil, clientPassword: nil, clientVersion: .v3_8, seed: 21)
        pair.run()
        var messages = try pair.client.setPixelFormat(.rgb565)
        var encodings = pair.client.setEncodings()
        messages.writeBuffer(&encodings)
        var request = pair.client.requestUpdate(incremental: false)
        messages.writeBuffer(&request)
        var key = pair.client.keyEvent(down: true, keysym: 0x20)
        messages.writeBuffer(&key)
        var pointer = pair.client.pointerEvent(buttonMask: 4, x: 1, y: 2)
        messages.writeBuffer(&pointer)
        var cut = pair.client.cutText(Latin1.bytes(from: "é"))
        messages.writeBuffer(&cut)
        pair.clientSends(messages)
        #expect(pair.sessionActions == [
            .setPixelFormat(.rgb565),
            .setEncodings(EncodingPreferences(requested: [.raw, .desktopSize, .lastRect, .desktopName], supported: [.raw])),
            .updateRequested(incremental: false, rect: Rect(x: 0, y: 0, width: 64, height: 48)),
            .key(down: true, keysym: 0x20),
            .pointer(buttonMask: 4, x: 1, y: 2),
            .clientCutText([0xe9]),
        ])
        #expect(pair.client.pixelFormat == .rgb565)
    }

    @Test func clientRefusesToSetAnInvalidPixelFormat() {
        var client = ClientStateMachine(decoders: [:])
        var format = PixelFormat.xrgb8888
        format.bitsPerPixel = 24
        #expect(throws: PixelFormat.ValidationError.unsupportedBitsPerPixel(24)) { try client.setPixelFormat(format) }
        #expect(client.pixelFormat == .xrgb8888)
    }
}
