/// The DRM fourcc pixel formats a framebuffer may have (drm_fourcc.h). All are little-endian
/// packed formats; the name lists the components from the most significant bits down, so
/// `xbgr8888` is the `UInt32` `0xXXBBGGRR` and in memory reads R, G, B, X.
public enum FourCC: UInt32, CaseIterable, Sendable, CustomStringConvertible {
    /// DRM_FORMAT_XRGB8888, "XR24": Porthole's canonical format.
    case xrgb8888 = 0x3432_5258
    /// DRM_FORMAT_ARGB8888, "AR24": straight (not premultiplied) alpha.
    case argb8888 = 0x3432_5241
    /// DRM_FORMAT_XBGR8888, "XB24".
    case xbgr8888 = 0x3432_4258
    /// DRM_FORMAT_ABGR8888, "AB24": straight alpha.
    case abgr8888 = 0x3432_4241
    /// DRM_FORMAT_RGB565, "RG16": 5 bits red, 6 green, 5 blue in a little-endian `UInt16`.
    case rgb565 = 0x3631_4752

    /// The code of a format from its four characters, as `fourcc_code()` builds it.
    public static func code(_ name: String) -> UInt32 {
        var value: UInt32 = 0
        for (index, byte) in name.utf8.prefix(4).enumerated() { value |= UInt32(byte) << (8 * UInt32(index)) }
        return value
    }

    public var bytesPerPixel: Int { self == .rgb565 ? 2 : 4 }
    /// True for the formats whose alpha channel is blended (AR24, AB24).
    public var hasAlpha: Bool { self == .argb8888 || self == .abgr8888 }

    /// The four characters, e.g. "XR24".
    public var description: String { Self.name(of: rawValue) }

    /// The four characters of any code, printable or not, for error messages about unknown formats.
    public static func name(of code: UInt32) -> String {
        (0..<4).map { index -> String in
            let byte = UInt8((code >> (8 * UInt32(index))) & 0xff)
            return (0x20...0x7e).contains(byte) ? String(UnicodeScalar(byte)) : "?"
        }.joined()
    }
}

/// DRM format modifiers. Only the linear layout can be read back by the CPU, so it is the only
/// one accepted (DRM_FORMAT_MOD_LINEAR).
public enum FormatModifier {
    public static let linear: UInt64 = 0
}
