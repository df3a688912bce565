import NIOCore
import Pixels
import RFB
import VNCAuth

/// The client's half of the handshake (RFC 6143 §7.1 to §7.3).
extension ClientStateMachine {
    mutating func stepHandshake() throws(ClientError) -> [ClientAction]? {
        switch phase {
        case .awaitingVersion:
            // RFC 6143 §7.1.1: answer with the highest version both sides speak.
            guard let bytes = buffer.readBytes(length: ProtocolVersion.wireLength) else { return nil }
            let offered: ProtocolVersion
            do { offered = try ProtocolVersion(wireBytes: bytes).negotiated() } catch { throw .badVersion(error) }
            let spoken = min(offered, (try? configuration.highestVersion.negotiated()) ?? .v3_8)
            version = spoken
            phase = spoken == .v3_3 ? .awaitingSecurityType : .awaitingSecurityTypeList
            return [.send(ByteBuffer(bytes: spoken.wireBytes))]

        case .awaitingSecurityType:
            // RFC 6143 §7.1.2, version 3.3: the server names the type as a U32; 0 means refused.
            guard let type = buffer.readInteger(as: UInt32.self) else { return nil }
            switch type {
            case UInt32(SecurityType.invalid.rawValue):
                phase = .awaitingFailureReason(.refused)
                return []
            case UInt32(SecurityType.none.rawValue):
                return securityNoneChosen()
            case UInt32(SecurityType.vncAuthentication.rawValue):
                guard configuration.password != nil else { throw .passwordRequired }
                phase = .awaitingChallenge
                return []
            default:
                throw .noSupportedSecurityType([SecurityType(rawValue: UInt8(truncatingIfNeeded: type))])
            }

        case .awaitingSecurityTypeList:
            // RFC 6143 §7.1.2, 3.7 and later: U8 count, then the types; an empty list means refused.
            guard let count = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
            if count == 0 {
                buffer.moveReaderIndex(forwardBy: 1)
                phase = .awaitingFailureReason(.refused)
                return []
            }
            guard buffer.readableBytes >= 1 + Int(count) else { return nil }
            buffer.moveReaderIndex(forwardBy: 1)
            let offered = buffer.readBytes(length: Int(count))!.map { SecurityType(rawValue: $0) }
            return try chooseSecurityType(from: offered)

        case .awaitingChallenge:
            // RFC 6143 §7.2.2: answer the 16-byte challenge with it DES-encrypted under the password.
            guard let challenge = buffer.readBytes(length: VNCAuthentication.challengeLength) else { return nil }
            let response = VNCAuthentication.response(challenge: challenge, password: configuration.password ?? [])
            phase = .awaitingSecurityResult
            return [.send(ByteBuffer(bytes: response))]

        case .awaitingSecurityResult:
            // RFC 6143 §7.1.3: U32 0 is OK; a failure carries a reason only from 3.8 on.
            guard let result = buffer.readInteger(as: UInt32.self) else { return nil }
            guard result == SecurityResult.ok else {
                guard version == .v3_8 else { throw .authenticationFailed(reason: nil) }
                phase = .awaitingFailureReason(.authentication)
                return []
            }
            return clientInit()

        case .awaitingFailureReason(let kind):
            guard let bytes = try readLengthPrefixed(after: 0, field: "failure reason",
                                                     limit: configuration.limits.maximumReasonLength) else { return nil }
            let reason = String(decoding: bytes, as: UTF8.self)
            switch kind {
            case .refused: throw .connectionRefused(reason: reason)
            case .authentication: throw .authenticationFailed(reason: reason)
            }

        case .awaitingServerInit:
            // RFC 6143 §7.3.2: U16 width, U16 height, PIXEL_FORMAT, U32 name length, name.
            guard buffer.readableBytes >= 4 + ByteBuffer.pixelFormatWireLength + 4,
                  let width = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
                  let height = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) else { return nil }
            let size = try checkedFramebufferSize(width: width, height: height)
            var formatBytes = buffer.getSlice(at: buffer.readerIndex + 4, length: ByteBuffer.pixelFormatWireLength)!
            let format = formatBytes.readPixelFormat()!
            guard let nameBytes = try readLengthPrefixed(after: 4 + ByteBuffer.pixelFormatWireLength, field: "desktop name",
                                                         limit: configuration.limits.maximumNameLength) else { return nil }
            let info = ServerInitInfo(size: size, pixelFormat: format, name: String(decoding: nameBytes, as: UTF8.self))
            serverInit = info
            name = info.name
            pixelFormat = format
            framebuffer = PixelBuffer(width: size.width, height: size.height)
            phase = .normal
            return [.connected(info)]

        case .normal, .failed:
            return nil
        }
    }

    /// Picks VNC Authentication when a password is configured and offered, else None.
    private mutating func chooseSecurityType(from offered: [SecurityType]) throws(ClientError) -> [ClientAction] {
        var choice = ByteBuffer()
        if configuration.password != nil && offered.contains(.vncAuthentication) {
            choice.writeInteger(SecurityType.vncAuthentication.rawValue)
            phase = .awaitingChallenge
            return [.send(choice)]
        }
        if offered.contains(.none) {
            choice.writeInteger(SecurityType.none.rawValue)
            return [.send(choice)] + securityNoneChosen()
        }
        if offered.contains(.vncAuthentication) { throw .passwordRequired }
        throw .noSupportedSecurityType(offered)
    }

    /// RFC 6143 §7.2.1: after None, only 3.8 sends a SecurityResult.
    private mutating func securityNoneChosen() -> [ClientAction] {
        if version == .v3_8 {
            phase = .awaitingSecurityResult
            return []
        }
        return clientInit()
    }

    /// RFC 6143 §7.3.1: U8 shared-flag.
    private mutating func clientInit() -> [ClientAction] {
        phase = .awaitingServerInit
        var out = ByteBuffer()
        out.writeInteger(UInt8(configuration.shared ? 1 : 0))
        return [.send(out)]
    }
}
