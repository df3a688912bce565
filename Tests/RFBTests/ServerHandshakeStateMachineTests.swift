import Testing
import NIOCore
import RFB
import VNCAuth

struct ServerHandshakeStateMachineTests {
    static let challenge: [UInt8] = Array(100..<116)
    static let password: [UInt8] = Array("s3cret".utf8)
    static let vncAuth = ServerSecurity.vncAuthentication { VNCAuthentication.verify(response: $0, challenge: $1, password: password) }

    private func bytes(_ actions: [ServerHandshakeAction]) -> [UInt8] {
        actions.flatMap { action -> [UInt8] in
            if case .send(let buffer) = action { return Array(buffer.readableBytesView) }
            return []
        }
    }

    private func feed(_ machine: inout ServerHandshakeStateMachine, _ bytes: [UInt8]) -> [ServerHandshakeAction] {
        machine.receive(ByteBuffer(bytes: bytes))
    }

    private func reasonString(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        return [0, 0, 0, UInt8(utf8.count)] + utf8
    }

    @Test func serverSpeaksFirstWith38() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        #expect(bytes(machine.start()) == Array("RFB 003.008\n".utf8))
        #expect(machine.start().isEmpty)
    }

    @Test func version38WithNone() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.008\n".utf8))) == [1, 1])
        #expect(bytes(feed(&machine, [1])) == [0, 0, 0, 0])
        let done = feed(&machine, [1, 9, 9])
        #expect(done == [.completed(version: .v3_8, shared: true, remaining: ByteBuffer(bytes: [9, 9]))])
    }

    @Test func version37WithNoneHasNoSecurityResult() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.007\n".utf8))) == [1, 1])
        #expect(feed(&machine, [1]).isEmpty)
        #expect(feed(&machine, [0]) == [.completed(version: .v3_7, shared: false, remaining: ByteBuffer())])
    }

    @Test func version33ServerChoosesTheTypeAsU32() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.003\n".utf8))) == [0, 0, 0, 1])
        #expect(feed(&machine, [1]) == [.completed(version: .v3_3, shared: true, remaining: ByteBuffer())])
    }

    /// RFC 6143 §7.1.1: a viewer's answer other than 3.3, 3.7 or 3.8 "should be interpreted as
    /// 3.3": the server names the type as a U32, and after None ClientInit follows directly.
    @Test(arguments: ["RFB 003.005\n", "RFB 003.006\n", "RFB 003.889\n", "RFB 004.000\n", "RFB 003.009\n", "RFB 003.002\n"])
    func unpublishedAnswerGetsThe33Handshake(answer: String) throws {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array(answer.utf8))) == [0, 0, 0, 1])
        #expect(machine.version == .v3_3)
        #expect(machine.answeredVersion == (try ProtocolVersion(wireBytes: Array(answer.utf8))))
        #expect(feed(&machine, [1]) == [.completed(version: .v3_3, shared: true, remaining: ByteBuffer())])
    }

    @Test func version33WithVNCAuthentication() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.003\n".utf8))) == [0, 0, 0, 2] + Self.challenge)
        let response = VNCAuthentication.response(challenge: Self.challenge, password: Self.password)
        let actions = feed(&machine, response)
        #expect(actions == [.authenticationSucceeded, .send(ByteBuffer(bytes: [0, 0, 0, 0]))])
    }

    @Test func wrongPasswordOn38FailsWithReason() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.008\n".utf8))) == [1, 2])
        #expect(bytes(feed(&machine, [2])) == Self.challenge)
        let actions = feed(&machine, VNCAuthentication.response(challenge: Self.challenge, password: Array("guess".utf8)))
        #expect(bytes(actions) == [0, 0, 0, 1] + reasonString("authentication failed"))
        // Recorded for the throttle before the viewer is told.
        #expect(actions.first == .authenticationFailed)
        #expect(actions.last == .close(reason: "authentication failed"))
        #expect(feed(&machine, [1]).isEmpty)
    }

    @Test func wrongPasswordOn37FailsWithoutReason() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge)
        _ = machine.start()
        _ = feed(&machine, Array("RFB 003.007\n".utf8))
        _ = feed(&machine, [2])
        let actions = feed(&machine, [UInt8](repeating: 0, count: 16))
        #expect(bytes(actions) == [0, 0, 0, 1])
        #expect(actions.contains(.authenticationFailed))
    }

    @Test func choosingATypeNotOfferedFails() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge)
        _ = machine.start()
        _ = feed(&machine, Array("RFB 003.008\n".utf8))
        let actions = feed(&machine, [1])
        let reason = "viewer chose None, which was not offered"
        #expect(bytes(actions) == [0, 0, 0, 1] + reasonString(reason))
        #expect(actions.last == .close(reason: reason))
        #expect(!actions.contains(.authenticationFailed))
    }

    @Test func throttledAddressIsRefusedBeforeAnyChallengeOn38() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge, authenticationAllowed: false)
        _ = machine.start()
        let actions = feed(&machine, Array("RFB 003.008\n".utf8))
        #expect(bytes(actions) == [0] + reasonString("too many authentication failures"))
        #expect(actions.last == .close(reason: "too many authentication failures"))
    }

    @Test func throttledAddressIsRefusedInThe33Form() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge, authenticationAllowed: false)
        _ = machine.start()
        let actions = feed(&machine, Array("RFB 003.003\n".utf8))
        #expect(bytes(actions) == [0, 0, 0, 0] + reasonString("too many authentication failures"))
        #expect(actions.last == .close(reason: "too many authentication failures"))
    }

    @Test func throttleDoesNotApplyWithoutAPassword() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge, authenticationAllowed: false)
        _ = machine.start()
        #expect(bytes(feed(&machine, Array("RFB 003.008\n".utf8))) == [1, 1])
    }

    /// A refusal from the edge (the server is full) applies whatever the security type, and comes
    /// in each version's form (RFC 6143 §7.1.2), even when the version arrives a byte at a time.
    @Test(arguments: [("RFB 003.008\n", [UInt8(0)]), ("RFB 003.007\n", [UInt8(0)]), ("RFB 003.003\n", [UInt8](repeating: 0, count: 4))])
    func refusalIsSentWithItsReason(version: String, refusedPrefix: [UInt8]) {
        for security in [ServerSecurity.none, Self.vncAuth] {
            var machine = ServerHandshakeStateMachine(security: security, challenge: Self.challenge, refusal: "the server is full")
            _ = machine.start()
            var actions: [ServerHandshakeAction] = []
            for byte in Array(version.utf8) { actions += feed(&machine, [byte]) }
            #expect(bytes(actions) == refusedPrefix + reasonString("the server is full"))
            #expect(actions.last == .close(reason: "the server is full"))
            #expect(!actions.contains { if case .completed = $0 { true } else { false } })
        }
    }

    @Test func garbageVersionCloses() {
        var machine = ServerHandshakeStateMachine(security: .none, challenge: Self.challenge)
        _ = machine.start()
        let actions = feed(&machine, Array("GET / HTTP/1.1\r\n".utf8))
        #expect(actions == [.close(reason: "malformed protocol version \"GET / HTTP/1\"")])
        #expect(machine.version == nil)
    }

    @Test func acceptsTheWholeHandshakeByteByByte() {
        var machine = ServerHandshakeStateMachine(security: Self.vncAuth, challenge: Self.challenge)
        _ = machine.start()
        let input = Array("RFB 003.008\n".utf8) + [2] + VNCAuthentication.response(challenge: Self.challenge, password: Self.password) + [1]
        var actions: [ServerHandshakeAction] = []
        for byte in input { actions += feed(&machine, [byte]) }
        #expect(bytes(actions) == [1, 2] + Self.challenge + [0, 0, 0, 0])
        #expect(actions.contains(.authenticationSucceeded))
        #expect(actions.last == .completed(version: .v3_8, shared: true, remaining: ByteBuffer()))
    }
}
