/// The first message a client sends (docs/protocol.md §5.1 "Hello").
///
/// Layout from the message start: 12 magic "PRTH", 16 u16 major, 18 u16 minor, 20 u8 role,
/// 21 u8 flags (bit 0: lease token present), 22 u16 name length n, 24 16-byte lease token
/// (zero when absent), 40 n bytes of UTF-8 name.
public struct HelloMessage: Hashable, Sendable {
    /// The four bytes every Hello starts its body with (after the request id): "PRTH".
    public static let magic: [UInt8] = Array("PRTH".utf8)

    public var version: DisplayProtocolVersion
    public var role: ClientRole
    /// A name for logs and for consumers' output lists, at most 255 UTF-8 bytes.
    public var clientName: String
    /// The token from an earlier Welcome, to take back that producer's outputs.
    public var leaseToken: LeaseToken?

    public init(version: DisplayProtocolVersion = .current, role: ClientRole, clientName: String, leaseToken: LeaseToken? = nil) {
        self.version = version
        self.role = role
        self.clientName = clientName
        self.leaseToken = leaseToken
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        let magic = try reader.readBytes(4)
        guard magic == Self.magic else { throw .badMagic(magic) }
        version = DisplayProtocolVersion(major: try reader.readU16(), minor: try reader.readU16())
        let roleValue = try reader.readU8()
        guard let role = ClientRole(rawValue: roleValue) else { throw .invalidValue(field: "Hello role", value: UInt64(roleValue)) }
        self.role = role
        let flags = try reader.readU8()
        guard flags & ~1 == 0 else { throw .invalidValue(field: "Hello flags", value: UInt64(flags)) }
        let nameLength = Int(try reader.readU16())
        try reader.checkCount(nameLength, field: "Hello name length", limit: reader.limits.maximumNameBytes)
        let token = try reader.readBytes(LeaseToken.byteCount)
        if flags & 1 != 0 {
            leaseToken = LeaseToken(bytes: token)
        } else {
            guard token.allSatisfy({ $0 == 0 }) else { throw .invalidValue(field: "Hello lease token without flag", value: 1) }
            leaseToken = nil
        }
        clientName = try reader.readString(length: nameLength, field: "Hello name", limit: reader.limits.maximumNameBytes)
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        let name = try writer.utf8(clientName, field: "name", limit: writer.limits.maximumNameBytes)
        writer.writeBytes(Self.magic)
        writer.write(version.major)
        writer.write(version.minor)
        writer.write(role.rawValue)
        writer.write(UInt8(leaseToken == nil ? 0 : 1))
        writer.write(UInt16(name.count))
        writer.writeBytes(leaseToken?.bytes ?? Array(repeating: 0, count: LeaseToken.byteCount))
        writer.writeBytes(name)
    }
}
