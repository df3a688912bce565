/// The rfbproto extensions a server offers its viewers. A viewer that lists an extension's
/// pseudo-encoding gets it only when the server offers it too; messages of an extension that was
/// not negotiated close the connection (rfbproto: a client must not send them before the
/// server's confirmation).
public struct ServerExtensions: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ExtendedDesktopSize rectangles and SetDesktopSize requests.
    public static let extendedDesktopSize = ServerExtensions(rawValue: 1 << 0)
    /// EnableContinuousUpdates and EndOfContinuousUpdates.
    public static let continuousUpdates = ServerExtensions(rawValue: 1 << 1)
    /// ClientFence and ServerFence.
    public static let fence = ServerExtensions(rawValue: 1 << 2)
    /// QEMU Extended Key Events.
    public static let qemuExtendedKeyEvent = ServerExtensions(rawValue: 1 << 3)
    /// Seven-byte PointerEvents with buttons beyond 8.
    public static let extendedMouseButtons = ServerExtensions(rawValue: 1 << 4)
    /// Extended ClientCutText and ServerCutText.
    public static let extendedClipboard = ServerExtensions(rawValue: 1 << 5)

    public static let all: ServerExtensions = [.extendedDesktopSize, .continuousUpdates, .fence,
                                               .qemuExtendedKeyEvent, .extendedMouseButtons, .extendedClipboard]
}
