/// An RFB encoding or pseudo-encoding number (RFC 6143 §7.7, rfbproto "Encodings").
/// Unknown numbers are kept as they are, because viewers list many we do not implement.
public struct Encoding: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    // Encodings (RFC 6143 §7.7).
    public static let raw = Encoding(0)
    public static let copyRect = Encoding(1)
    public static let rre = Encoding(2)
    public static let hextile = Encoding(5)
    public static let tight = Encoding(7)
    public static let zrle = Encoding(16)

    // Pseudo-encodings (rfbproto §7.8).
    public static let desktopSize = Encoding(-223)
    public static let lastRect = Encoding(-224)
    /// rfbproto "PointerPos": the server tells where the pointer is (rect x, y; no data).
    public static let cursorPosition = Encoding(-232)
    public static let cursor = Encoding(-239)
    public static let xCursor = Encoding(-240)
    /// rfbproto "QEMU Extended Key Event Pseudo-encoding".
    public static let qemuExtendedKeyEvent = Encoding(-258)
    public static let desktopName = Encoding(-307)
    public static let extendedDesktopSize = Encoding(-308)
    /// rfbproto "Fence Pseudo-encoding".
    public static let fence = Encoding(-312)
    /// rfbproto "ContinuousUpdates Pseudo-encoding".
    public static let continuousUpdates = Encoding(-313)
    /// rfbproto "ExtendedMouseButtons Pseudo-encoding".
    public static let extendedMouseButtons = Encoding(-316)
    /// rfbproto "Extended Clipboard Pseudo-Encoding": 0xC0A1E5CE as an S32.
    public static let extendedClipboard = Encoding(Int32(bitPattern: 0xC0A1_E5CE))
    /// CompressLevel 0..9 are -256 ... -247.
    public static let compressLevel0 = Encoding(-256)
    public static let compressLevel9 = Encoding(-247)
    /// QualityLevel 0..9 are -32 ... -23.
    public static let qualityLevel0 = Encoding(-32)
    public static let qualityLevel9 = Encoding(-23)

    /// The compression level (0...9) this pseudo-encoding asks for, if it is one.
    public var compressLevel: Int? {
        (Self.compressLevel0.rawValue...Self.compressLevel9.rawValue).contains(rawValue)
            ? Int(rawValue - Self.compressLevel0.rawValue) : nil
    }
    /// The JPEG quality level (0...9) this pseudo-encoding asks for, if it is one.
    public var qualityLevel: Int? {
        (Self.qualityLevel0.rawValue...Self.qualityLevel9.rawValue).contains(rawValue)
            ? Int(rawValue - Self.qualityLevel0.rawValue) : nil
    }

    public var description: String {
        switch self {
        case .raw: return "Raw"
        case .copyRect: return "CopyRect"
        case .rre: return "RRE"
        case .hextile: return "Hextile"
        case .tight: return "Tight"
        case .zrle: return "ZRLE"
        case .desktopSize: return "DesktopSize"
        case .lastRect: return "LastRect"
        case .cursor: return "Cursor"
        case .xCursor: return "XCursor"
        case .desktopName: return "DesktopName"
        case .extendedDesktopSize: return "ExtendedDesktopSize"
        case .cursorPosition: return "CursorPosition"
        case .qemuExtendedKeyEvent: return "QEMUExtendedKeyEvent"
        case .fence: return "Fence"
        case .continuousUpdates: return "ContinuousUpdates"
        case .extendedMouseButtons: return "ExtendedMouseButtons"
        case .extendedClipboard: return "ExtendedClipboard"
        default:
            if let c = compressLevel { return "CompressLevel\(c)" }
            if let q = qualityLevel { return "QualityLevel\(q)" }
            return "Encoding(\(rawValue))"
        }
    }

    /// Parses a user-facing name ("raw", "zrle", "hextile", ...), case-insensitively.
    public init?(name: String) {
        switch name.lowercased() {
        case "raw": self = .raw
        case "copyrect": self = .copyRect
        case "rre": self = .rre
        case "hextile": self = .hextile
        case "tight": self = .tight
        case "zrle": self = .zrle
        default: return nil
        }
    }
}
