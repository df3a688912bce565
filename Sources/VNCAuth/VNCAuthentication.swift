import CCrypto

/// VNC Authentication (RFC 6143 §7.2.2): the server sends a 16-byte random challenge and the
/// viewer answers with the challenge DES-encrypted (ECB, two blocks) under a key made from the
/// password's first eight bytes, zero-padded, with each byte's bits in reverse order (the historic
/// quirk every VNC implementation follows). DES comes from Debian's libcrypto.
public enum VNCAuthentication {
    public static let challengeLength = 16

    /// The 16-byte response a viewer who knows `password` sends for `challenge`.
    public static func response(challenge: [UInt8], password: [UInt8]) -> [UInt8] {
        precondition(challenge.count == challengeLength)
        var key = [UInt8](repeating: 0, count: 8)
        for (i, byte) in password.prefix(8).enumerated() { key[i] = reverseBits(byte) }
        var block: DES_cblock = (key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7])
        var schedule = DES_key_schedule()
        DES_set_key_unchecked(&block, &schedule)
        var out = [UInt8](repeating: 0, count: challengeLength)
        for half in 0..<2 {
            var input: DES_cblock = (0, 0, 0, 0, 0, 0, 0, 0)
            var output: DES_cblock = (0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &input) { $0.copyBytes(from: challenge[(half * 8)..<(half * 8 + 8)]) }
            DES_ecb_encrypt(&input, &output, &schedule, DES_ENCRYPT)
            withUnsafeBytes(of: &output) { o in
                for i in 0..<8 { out[half * 8 + i] = o[i] }
            }
        }
        return out
    }

    /// Whether `response` is the right answer to `challenge`, compared in constant time.
    public static func verify(response: [UInt8], challenge: [UInt8], password: [UInt8]) -> Bool {
        let expected = Self.response(challenge: challenge, password: password)
        guard response.count == expected.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<expected.count { diff |= expected[i] ^ response[i] }
        return diff == 0
    }

    /// Reads a password file the way vncpasswd-less setups expect: the first line, without its
    /// newline; only the first eight bytes matter to the protocol.
    public static func password(fromFileContents bytes: [UInt8]) -> [UInt8] {
        Array(bytes.prefix { $0 != 0x0a && $0 != 0x0d })
    }

    private static func reverseBits(_ b: UInt8) -> UInt8 {
        var v = b, r: UInt8 = 0
        for _ in 0..<8 { r = (r << 1) | (v & 1); v >>= 1 }
        return r
    }
}
