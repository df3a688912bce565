/// A protocol version as sent in Hello and Welcome (docs/protocol.md §4.1 "Handshake", §10 "Versioning").
///
/// Peers with different majors cannot talk; a server answers an unknown major with Error code 8
/// carrying its own version. Minor versions only add message types, flags and meanings for reserved
/// fields, and each side uses the smaller of the two minors.
public struct DisplayProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var major: UInt16
    public var minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// The version this codec implements: 1.2 (1.1 added CreateFramebuffer's copy flag, §5.6;
    /// 1.2 the moves of a Commit's plane state, §5.8).
    public static let current = DisplayProtocolVersion(major: 1, minor: 2)

    /// The version packed as `major << 16 | minor`, as in the detail field of Error code 8.
    public var packed: UInt32 { UInt32(major) << 16 | UInt32(minor) }

    public init(packed: UInt32) {
        self.init(major: UInt16(truncatingIfNeeded: packed >> 16), minor: UInt16(truncatingIfNeeded: packed))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }

    public var description: String { "\(major).\(minor)" }
}
