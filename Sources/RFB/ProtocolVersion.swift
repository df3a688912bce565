/// An RFB protocol version as exchanged in the ProtocolVersion handshake (RFC 6143 §7.1.1):
/// twelve bytes, "RFB xxx.yyy\n", with three decimal digits each for major and minor.
public struct ProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }

    public static let v3_3 = ProtocolVersion(major: 3, minor: 3)
    public static let v3_7 = ProtocolVersion(major: 3, minor: 7)
    public static let v3_8 = ProtocolVersion(major: 3, minor: 8)

    /// The length of the version message on the wire.
    public static let wireLength = 12

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The twelve bytes are not of the form "RFB xxx.yyy\n".
        case malformed([UInt8])
        /// A well-formed version older than 3.3, which no implementation speaks.
        case unsupported(ProtocolVersion)

        public var description: String {
            switch self {
            case .malformed(let bytes):
                let printable = bytes.map { (0x20..<0x7f).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
                return "malformed protocol version \"\(printable)\""
            case .unsupported(let v): return "unsupported protocol version \(v)"
            }
        }
    }

    /// Parses the twelve-byte version message exactly: "RFB ", three digits, ".", three digits, "\n".
    public init(wireBytes bytes: [UInt8]) throws(ParseError) {
        guard bytes.count == Self.wireLength,
              bytes[0..<4].elementsEqual("RFB ".utf8), bytes[7] == UInt8(ascii: "."), bytes[11] == 0x0a,
              let major = Self.digits(bytes[4..<7]), let minor = Self.digits(bytes[8..<11])
        else { throw .malformed(bytes) }
        self.init(major: major, minor: minor)
    }

    /// The twelve bytes that announce this version.
    public var wireBytes: [UInt8] {
        func threeDigits(_ n: Int) -> [UInt8] {
            let clamped = min(max(n, 0), 999)
            return [UInt8(clamped / 100), UInt8(clamped / 10 % 10), UInt8(clamped % 10)].map { $0 + UInt8(ascii: "0") }
        }
        return Array("RFB ".utf8) + threeDigits(major) + [UInt8(ascii: ".")] + threeDigits(minor) + [0x0a]
    }

    /// The version a client speaks when the server offers `self` (RFC 6143 §7.1.1: "the highest
    /// version both sides speak"; a client never asks for more than it was offered): 3.3, 3.7 and
    /// 3.8 are taken as they are; the non-standard 3.4 to 3.6 (UltraVNC, TightVNC's 3.5) and 3.889
    /// (Apple Remote Desktop) are treated as 3.3; a newer server (4.0, 3.9) is spoken to as 3.8;
    /// anything between known versions as the highest known version below it; below 3.3 is an
    /// error. The server reads a viewer's answer with `spokenWhenViewerAnswers` instead.
    public func negotiated() throws(ParseError) -> ProtocolVersion {
        if self == ProtocolVersion(major: 3, minor: 889) { return .v3_3 }
        if self >= .v3_8 { return .v3_8 }
        if self >= .v3_7 { return .v3_7 }
        if self >= .v3_3 { return .v3_3 }
        throw .unsupported(self)
    }

    /// The version the server speaks when a viewer answers its 3.8 offer with `self`.
    /// RFC 6143 §7.1.1: "The only published protocol versions at this time are 3.3, 3.7, and 3.8.
    /// Other version numbers are reported by some servers and clients, but should be interpreted
    /// as 3.3 since they do not implement the different handshake in 3.7 or 3.8" (rfbproto
    /// "ProtocolVersion" names 3.5, which some clients wrongly report). So 3.7 and 3.8 are spoken
    /// as they are, and every other well-formed answer (3.5, 3.889, 4.0, 3.2) gets the 3.3
    /// handshake, in which the server decides the security type; a viewer that then speaks
    /// something else fails on its next message. Only bytes that are not a version are refused.
    public var spokenWhenViewerAnswers: ProtocolVersion {
        self == .v3_7 || self == .v3_8 ? self : .v3_3
    }

    public static func < (a: ProtocolVersion, b: ProtocolVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }

    public var description: String { "\(major).\(minor)" }

    private static func digits(_ slice: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in slice {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
