/// ISO 8859-1 text, the encoding RFC 6143 §7.5.6 and §7.6.4 prescribe for ClientCutText and
/// ServerCutText. Every byte is one character, so conversion never fails in the byte-to-text
/// direction; text outside Latin-1 is replaced by "?" in the other.
public enum Latin1 {
    public static func string(from bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    public static func bytes(from string: String) -> [UInt8] {
        string.unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
    }
}
