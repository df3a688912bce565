/// One extended ClientCutText or ServerCutText (rfbproto "Extended Clipboard Pseudo-Encoding"):
/// the message whose S32 length is negative; -length bytes follow, starting with U32 flags.
public enum ExtendedClipboardMessage: Hashable, Sendable {
    /// The formats and actions the sender accepts, with the largest unsolicited size for each
    /// format (the keys are single formats).
    case caps(actions: ClipboardActions, maximumSizes: [ClipboardFormats: UInt32])
    /// Asks the receiver to `provide` these formats.
    case request(ClipboardFormats)
    /// Asks the receiver to `notify` which formats it has.
    case peek
    /// The sender's clipboard changed and holds these formats.
    case notify(ClipboardFormats)
    /// The clipboard contents, per single format, as they travel (see `text`).
    case provide([ClipboardFormats: [UInt8]])

    /// A `provide` of `text`, converted to the wire form: UTF-8, CRLF line ends, NUL-terminated.
    public static func providing(text: String) -> ExtendedClipboardMessage {
        .provide([.text: ExtendedClipboard.wireText(text)])
    }

    /// The text of a `provide`, converted back: the terminating NUL dropped, CRLF turned into LF.
    public var text: String? {
        guard case .provide(let data) = self, let bytes = data[.text] else { return nil }
        return ExtendedClipboard.text(fromWire: bytes)
    }

    /// The caps Porthole announces: text only, all five actions, `maximumTextSize` unsolicited.
    public static func portholeCaps(maximumTextSize: UInt32) -> ExtendedClipboardMessage {
        .caps(actions: [.caps, .request, .peek, .notify, .provide], maximumSizes: [.text: maximumTextSize])
    }
}
