import RFB

/// The pixel encodings the server implements, and a fresh encoder value for each. A new value per
/// viewer connection, because encoders hold per-connection state (ZRLE's zlib stream).
public enum EncoderRegistry {
    /// In the server's own order of preference, used when a viewer's list does not decide.
    public static let implemented: [Encoding] = [.tight, .zrle, .hextile, .rre, .raw]

    public static func make(_ encoding: Encoding) -> (any FramebufferEncoder)? {
        switch encoding {
        case .raw: return RawEncoder()
        case .rre: return RREEncoder()
        case .hextile: return HextileEncoder()
        case .zrle: return ZRLEEncoder()
        case .tight: return TightEncoder()
        default: return nil
        }
    }
}
