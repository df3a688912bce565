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
    /// The viewer understands ExtendedDesktopSize (rfbproto "ExtendedDesktopSize Pseudo-encoding").
    /// A server must then send ExtendedDesktopSize rather than DesktopSize rectangles, and one in
    /// reply to every non-incremental FramebufferUpdateRequest.
    public var extendedDesktopSize: Bool
    /// The viewer understands LastRect (rfbproto §7.8).
    public var lastRect: Bool
    /// The viewer understands DesktopName (rfbproto §7.8).
    public var desktopName: Bool
    /// The viewer draws the cursor itself from Cursor pseudo-rectangles (RFC 6143 §7.8.1).
    public var cursor: Bool
    /// The viewer takes two-colour XCursor pseudo-rectangles (rfbproto "X Cursor Pseudo-encoding").
    public var xCursor: Bool
    /// The viewer takes PointerPos pseudo-rectangles (rfbproto "PointerPos", -232).
    public var cursorPosition: Bool
    /// The viewer wants EnableContinuousUpdates (rfbproto "ContinuousUpdates Pseudo-encoding").
    public var continuousUpdates: Bool
    /// The viewer speaks Fence (rfbproto "Fence Pseudo-encoding").
    public var fence: Bool
    /// The viewer can send QEMU Extended Key Events (rfbproto "QEMU Extended Key Event Pseudo-encoding").
    public var qemuExtendedKeyEvent: Bool
    /// The viewer can send buttons beyond 8 (rfbproto "ExtendedMouseButtons Pseudo-encoding").
    public var extendedMouseButtons: Bool
    /// The viewer speaks the extended ClientCutText/ServerCutText (rfbproto "Extended Clipboard Pseudo-Encoding").
    public var extendedClipboard: Bool

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
        xCursor = requested.contains(.xCursor)
        cursorPosition = requested.contains(.cursorPosition)
        continuousUpdates = requested.contains(.continuousUpdates)
        fence = requested.contains(.fence)
        qemuExtendedKeyEvent = requested.contains(.qemuExtendedKeyEvent)
        extendedMouseButtons = requested.contains(.extendedMouseButtons)
        extendedClipboard = requested.contains(.extendedClipboard)
    }
}
