/// What a viewer's SetEncodings (RFC 6143 §7.5.2) means for the server: the list in the viewer's
/// order of preference, plus the choices derived from it.
public struct EncodingPreferences: Hashable, Sendable {
    /// Everything the viewer listed, in its order.
    public var requested: [Encoding]
    /// The encoding for pixel data: the first one in the viewer's order that the server implements,
    /// other than CopyRect (which only moves pixels the viewer already has). Raw when there is none,
    /// since every viewer must accept Raw (RFC 6143 §7.7.1).
    public var preferred: Encoding
    /// The viewer accepts CopyRect (RFC 6143 §7.7.2).
    public var copyRect: Bool
    /// The first CompressLevel pseudo-encoding's level 0...9, if any (rfbproto §7.8).
    public var compressLevel: Int?
    /// The first QualityLevel pseudo-encoding's level 0...9, if any (rfbproto §7.8).
    public var qualityLevel: Int?
    /// The viewer understands the DesktopSize pseudo-encoding (RFC 6143 §7.8.2).
    public var desktopSize: Bool
    /// The viewer understands ExtendedDesktopSize (rfbproto §7.8).
    public var extendedDesktopSize: Bool
    /// The viewer understands LastRect (rfbproto §7.8).
    public var lastRect: Bool
    /// The viewer understands DesktopName (rfbproto §7.8).
    public var desktopName: Bool
    /// The viewer draws the cursor itself from Cursor pseudo-rectangles (RFC 6143 §7.8.1).
    public var cursor: Bool

    /// Preferences before any SetEncodings: Raw only (RFC 6143 §7.5.2).
    public init() { self.init(requested: [], supported: [.raw]) }

    /// Derives the preferences from the viewer's list and the pixel encodings the server implements.
    public init(requested: [Encoding], supported: Set<Encoding>) {
        self.requested = requested
        preferred = requested.first { $0 != .copyRect && supported.contains($0) } ?? .raw
        copyRect = requested.contains(.copyRect) && supported.contains(.copyRect)
        compressLevel = requested.lazy.compactMap(\.compressLevel).first
        qualityLevel = requested.lazy.compactMap(\.qualityLevel).first
        desktopSize = requested.contains(.desktopSize)
        extendedDesktopSize = requested.contains(.extendedDesktopSize)
        lastRect = requested.contains(.lastRect)
        desktopName = requested.contains(.desktopName)
        cursor = requested.contains(.cursor)
    }
}
