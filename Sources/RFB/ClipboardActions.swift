/// Actions of the Extended Clipboard (flag bits 24 to 28).
public struct ClipboardActions: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let caps = ClipboardActions(rawValue: 1 << 24)
    public static let request = ClipboardActions(rawValue: 1 << 25)
    public static let peek = ClipboardActions(rawValue: 1 << 26)
    public static let notify = ClipboardActions(rawValue: 1 << 27)
    public static let provide = ClipboardActions(rawValue: 1 << 28)
    /// Bits 24 to 31.
    public static let all = ClipboardActions(rawValue: 0xff00_0000)
}
