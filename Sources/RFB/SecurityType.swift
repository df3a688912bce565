import NIOCore

/// Security types (RFC 6143 §7.1.2, §7.2). Porthole implements None and VNC Authentication.
public struct SecurityType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// In 3.3's server-chosen U32 and 3.7+'s empty list, 0 means "connection failed, reason follows".
    public static let invalid = SecurityType(rawValue: 0)
    public static let none = SecurityType(rawValue: 1)
    public static let vncAuthentication = SecurityType(rawValue: 2)

    public var description: String {
        switch self {
        case .invalid: return "Invalid"
        case .none: return "None"
        case .vncAuthentication: return "VNC Authentication"
        default: return "security type \(rawValue)"
        }
    }
}

/// SecurityResult values (RFC 6143 §7.1.3).
public enum SecurityResult {
    public static let ok: UInt32 = 0
    public static let failed: UInt32 = 1
}

extension ByteBuffer {
    /// Writes a reason string as the handshake carries them (RFC 6143 §7.1.2, §7.1.3): U32 length,
    /// then the text (ASCII in practice; Porthole writes UTF-8).
    public mutating func writeReasonString(_ reason: String) {
        let bytes = Array(reason.utf8)
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }
}
