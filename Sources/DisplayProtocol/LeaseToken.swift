/// The 128-bit secret that ties a producer to its outputs across reconnects (docs/protocol.md §4.1 "Handshake").
///
/// The server picks it at random and returns it in Welcome; a producer that reconnects with it in
/// Hello takes its outputs back. The bytes go on the wire as they are.
public struct LeaseToken: Hashable, Sendable, CustomStringConvertible {
    /// The sixteen bytes of the token.
    public let bytes: [UInt8]

    /// The size of a token on the wire.
    public static let byteCount = 16

    /// Nil unless `bytes` holds exactly 16 bytes.
    public init?(bytes: some Sequence<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A token made of two 64-bit halves, high half first (big-endian bytes); handy for random tokens.
    public init(high: UInt64, low: UInt64) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        self.bytes = bytes
    }

    public var description: String { bytes.map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined() }
}
