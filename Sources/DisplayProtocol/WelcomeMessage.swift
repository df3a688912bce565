/// The server's answer to a Hello it accepts (docs/protocol.md §7.1 "Welcome").
///
/// Layout from the message start: 12 u16 major, 14 u16 minor, 16 u32 client id, 20 16-byte lease
/// token, 36 u32 maximum message size, 40 u32 maximum framebuffers, 44 u32 maximum damage rects.
/// 48 bytes in all.
public struct WelcomeMessage: Hashable, Sendable {
    /// The version both sides speak: the server's major, the smaller of the two minors.
    public var version: DisplayProtocolVersion
    public var clientID: UInt32
    /// The token a producer presents in a later Hello to take its outputs back.
    public var leaseToken: LeaseToken
    /// Largest message the server accepts from this client, header included (at most 65536).
    public var maximumMessageSize: UInt32
    /// Most framebuffers this client may hold at once.
    public var maximumFramebuffers: UInt32
    /// Most damage rects per plane in a Commit.
    public var maximumDamageRects: UInt32

    public init(version: DisplayProtocolVersion = .current, clientID: UInt32, leaseToken: LeaseToken,
                maximumMessageSize: UInt32, maximumFramebuffers: UInt32, maximumDamageRects: UInt32) {
        self.version = version
        self.clientID = clientID
        self.leaseToken = leaseToken
        self.maximumMessageSize = maximumMessageSize
        self.maximumFramebuffers = maximumFramebuffers
        self.maximumDamageRects = maximumDamageRects
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        version = DisplayProtocolVersion(major: try reader.readU16(), minor: try reader.readU16())
        clientID = try reader.readU32()
        leaseToken = LeaseToken(bytes: try reader.readBytes(LeaseToken.byteCount))!
        maximumMessageSize = try reader.readU32()
        maximumFramebuffers = try reader.readU32()
        maximumDamageRects = try reader.readU32()
    }

    func write(to writer: inout WireWriter) {
        writer.write(version.major)
        writer.write(version.minor)
        writer.write(clientID)
        writer.writeBytes(leaseToken.bytes)
        writer.write(maximumMessageSize)
        writer.write(maximumFramebuffers)
        writer.write(maximumDamageRects)
    }
}
