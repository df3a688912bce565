import NIOCore

/// What the server demands of a viewer before the session starts.
public enum ServerSecurity: Sendable {
    /// Security type None: anyone who connects is in.
    case none
    /// VNC Authentication (RFC 6143 §7.2.2). `verify` gets the viewer's 16-byte response and the
    /// challenge and says whether it is right; the edge passes
    /// `{ VNCAuthentication.verify(response: $0, challenge: $1, password: password) }`. (The RFB
    /// target does not link the DES code, so the check is handed in rather than done here.)
    case vncAuthentication(verify: @Sendable (_ response: [UInt8], _ challenge: [UInt8]) -> Bool)

    var type: SecurityType {
        switch self {
        case .none: return .none
        case .vncAuthentication: return .vncAuthentication
        }
    }
}

/// What the server handshake asks the edge to do, in order.
public enum ServerHandshakeAction: Equatable, Sendable {
    /// Write these bytes to the viewer.
    case send(ByteBuffer)
    /// Close the connection after writing what was sent before; `reason` is for the log.
    case close(reason: String)
    /// The viewer answered the challenge correctly: record it in the `AuthenticationThrottle`.
    case authenticationSucceeded
    /// The viewer answered the challenge wrongly: record it in the `AuthenticationThrottle`.
    case authenticationFailed
    /// ClientInit arrived. The edge now writes ServerInit (`ByteBuffer.writeServerInit`) with the
    /// framebuffer's size at this moment, and hands `remaining` (bytes that came after ClientInit)
    /// to a `ServerSessionStateMachine`.
    case completed(version: ProtocolVersion, shared: Bool, remaining: ByteBuffer)
}

/// The server side of the RFB handshake (RFC 6143 §7.1, §7.3.1): ProtocolVersion, security,
/// SecurityResult and ClientInit. Pure: bytes in, actions out.
///
/// The server offers 3.8 and speaks what the viewer's answer maps to
/// (`ProtocolVersion.spokenWhenViewerAnswers`: 3.7 and 3.8 as they are, any other version as 3.3).
/// It offers exactly one security type: VNC Authentication when configured, else None.
/// - 3.3 (§7.1.2): the server names the type as a U32; there is no SecurityResult after None.
/// - 3.7: a list of types and the viewer's choice; no SecurityResult after None.
/// - 3.8: as 3.7, but SecurityResult always follows, and a failure carries a reason string.
///
/// The machine refuses a viewer in the security step, before any challenge, when the edge's
/// `AuthenticationThrottle` blocks its address ("too many authentication failures") or when the
/// edge hands in a refusal of its own (the server is full): in 3.3 as type 0 plus reason, in 3.7
/// and 3.8 as an empty type list plus reason (§7.1.2). Every viewer shows that reason to its user,
/// which a bare close would not give.
public struct ServerHandshakeStateMachine {
    public static let throttledReason = "too many authentication failures"
    public static let authenticationFailedReason = "authentication failed"

    private enum Phase {
        case notStarted
        case awaitingVersion
        case awaitingSecurityType
        case awaitingChallengeResponse
        case awaitingClientInit
        case finished
    }

    private let security: ServerSecurity
    private let challenge: [UInt8]
    private let authenticationAllowed: Bool
    private let refusal: String?
    private var phase = Phase.notStarted
    private var buffer = ByteBuffer()
    /// The version spoken, once the viewer has answered.
    public private(set) var version: ProtocolVersion?
    /// The version the viewer answered with (differs from `version` for non-standard answers).
    public private(set) var answeredVersion: ProtocolVersion?

    /// - Parameters:
    ///   - security: None, or VNC Authentication with its check.
    ///   - challenge: 16 random bytes from the edge, used if VNC Authentication runs.
    ///   - authenticationAllowed: false when the throttle blocks this viewer's address; ignored
    ///     for security None, which has no password to guess.
    ///   - refusal: when given, every viewer is refused in the security step with this reason,
    ///     whatever the security type (the edge uses it when `--max-viewers` are connected).
    public init(security: ServerSecurity, challenge: [UInt8], authenticationAllowed: Bool = true, refusal: String? = nil) {
        precondition(challenge.count == 16, "the VNC Authentication challenge is 16 bytes (RFC 6143 §7.2.2)")
        self.security = security
        self.challenge = challenge
        self.authenticationAllowed = authenticationAllowed
        self.refusal = refusal
    }

    /// Begins the handshake: the server speaks first with its version (RFC 6143 §7.1.1).
    public mutating func start() -> [ServerHandshakeAction] {
        guard case .notStarted = phase else { return [] }
        phase = .awaitingVersion
        return [.send(ByteBuffer(bytes: ProtocolVersion.v3_8.wireBytes))]
    }

    /// Feeds bytes from the viewer, in any split.
    /// Bytes arriving after the handshake finished (or failed) are not this machine's and are dropped.
    public mutating func receive(_ bytes: ByteBuffer) -> [ServerHandshakeAction] {
        if case .finished = phase { return [] }
        var bytes = bytes
        buffer.writeBuffer(&bytes)
        var actions: [ServerHandshakeAction] = []
        while let step = step() {
            actions += step
            if case .finished = phase { break }
        }
        return actions
    }

    /// Runs one phase if its bytes are all there; nil when more bytes are needed.
    private mutating func step() -> [ServerHandshakeAction]? {
        switch phase {
        case .notStarted, .finished:
            return nil
        case .awaitingVersion:
            guard let bytes = buffer.readBytes(length: ProtocolVersion.wireLength) else { return nil }
            return receiveVersion(bytes)
        case .awaitingSecurityType:
            guard let chosen = buffer.readInteger(as: UInt8.self) else { return nil }
            return receiveSecurityType(SecurityType(rawValue: chosen))
        case .awaitingChallengeResponse:
            guard let response = buffer.readBytes(length: 16) else { return nil }
            return receiveChallengeResponse(response)
        case .awaitingClientInit:
            // RFC 6143 §7.3.1: U8 shared-flag.
            guard let shared = buffer.readInteger(as: UInt8.self) else { return nil }
            phase = .finished
            let remaining = buffer
            buffer = ByteBuffer()
            return [.completed(version: version ?? .v3_8, shared: shared != 0, remaining: remaining)]
        }
    }

    private mutating func receiveVersion(_ bytes: [UInt8]) -> [ServerHandshakeAction] {
        let answered: ProtocolVersion
        do {
            answered = try ProtocolVersion(wireBytes: bytes)
        } catch {
            return fail(error.description)
        }
        let negotiated = answered.spokenWhenViewerAnswers
        answeredVersion = answered
        version = negotiated
        var out = ByteBuffer()
        let throttled = !authenticationAllowed && security.type == .vncAuthentication
        let refusal = self.refusal ?? (throttled ? Self.throttledReason : nil)
        if negotiated == .v3_3 {
            // RFC 6143 §7.1.2, version 3.3: the server decides, as a U32.
            if let refusal {
                out.writeInteger(UInt32(SecurityType.invalid.rawValue))
                out.writeReasonString(refusal)
                return [.send(out)] + fail(refusal)
            }
            out.writeInteger(UInt32(security.type.rawValue))
            return [.send(out)] + securityChosen()
        }
        if let refusal {
            out.writeInteger(UInt8(0))
            out.writeReasonString(refusal)
            return [.send(out)] + fail(refusal)
        }
        out.writeInteger(UInt8(1))
        out.writeInteger(security.type.rawValue)
        phase = .awaitingSecurityType
        return [.send(out)]
    }

    private mutating func receiveSecurityType(_ chosen: SecurityType) -> [ServerHandshakeAction] {
        guard chosen == security.type else {
            let reason = "viewer chose \(chosen), which was not offered"
            return sendSecurityFailure(reason) + fail(reason)
        }
        return securityChosen()
    }

    /// Continues once the security type is settled (by the server in 3.3, the viewer otherwise).
    private mutating func securityChosen() -> [ServerHandshakeAction] {
        switch security {
        case .none:
            phase = .awaitingClientInit
            // RFC 6143 §7.2.1: only 3.8 sends SecurityResult after None.
            guard version == .v3_8 else { return [] }
            var out = ByteBuffer()
            out.writeInteger(SecurityResult.ok)
            return [.send(out)]
        case .vncAuthentication:
            phase = .awaitingChallengeResponse
            return [.send(ByteBuffer(bytes: challenge))]
        }
    }

    private mutating func receiveChallengeResponse(_ response: [UInt8]) -> [ServerHandshakeAction] {
        guard case .vncAuthentication(let verify) = security else { return fail("unexpected challenge response") }
        // The outcome is recorded before the viewer hears it: a viewer told of its failure could
        // otherwise reconnect, and guess again, before the throttle counted the failure.
        guard verify(response, challenge) else {
            return [.authenticationFailed] + sendSecurityFailure(Self.authenticationFailedReason)
                + fail(Self.authenticationFailedReason)
        }
        phase = .awaitingClientInit
        var out = ByteBuffer()
        out.writeInteger(SecurityResult.ok)
        return [.authenticationSucceeded, .send(out)]
    }

    /// SecurityResult "failed" (RFC 6143 §7.1.3); the reason string exists only in 3.8.
    private func sendSecurityFailure(_ reason: String) -> [ServerHandshakeAction] {
        var out = ByteBuffer()
        out.writeInteger(SecurityResult.failed)
        if version == .v3_8 { out.writeReasonString(reason) }
        return [.send(out)]
    }

    private mutating func fail(_ reason: String) -> [ServerHandshakeAction] {
        phase = .finished
        buffer = ByteBuffer()
        return [.close(reason: reason)]
    }
}
