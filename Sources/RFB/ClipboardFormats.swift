/// Clipboard formats of the Extended Clipboard (rfbproto "Extended Clipboard Pseudo-Encoding",
/// flag bits 0 to 15).
public struct ClipboardFormats: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// UTF-8, CRLF line ends, NUL-terminated.
    public static let text = ClipboardFormats(rawValue: 1 << 0)
    public static let rtf = ClipboardFormats(rawValue: 1 << 1)
    public static let html = ClipboardFormats(rawValue: 1 << 2)
    public static let dib = ClipboardFormats(rawValue: 1 << 3)
    public static let files = ClipboardFormats(rawValue: 1 << 4)
    /// Bits 0 to 15.
    public static let all = ClipboardFormats(rawValue: 0xffff)

    /// Each format set, lowest bit first: the order in which sizes and data travel.
    public var members: [ClipboardFormats] {
        (0..<16).compactMap { bit in rawValue & (1 << bit) != 0 ? ClipboardFormats(rawValue: 1 << bit) : nil }
    }
}
