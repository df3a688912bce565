import NIOCore
import RFB

/// The clipboard between one viewer and its output: Latin-1 ClientCutText/ServerCutText for
/// viewers without extensions (RFC 6143 §7.5.6, §7.6.4), UTF-8 through Extended Clipboard
/// (rfbproto "Extended Clipboard Pseudo-Encoding") for those that announce it.
extension ViewerConnection {
    /// The largest clipboard text accepted or offered, in bytes.
    static let clipboardLimit = 1 << 20

    func handleClipboard(_ action: ServerSessionAction) {
        switch action {
        case .clientCutText(let latin1):
            if !configurationIsViewOnly { offerToOutput(Latin1.string(from: latin1)) }
        case .clipboardProvide(let text):
            if let text, !configurationIsViewOnly { offerToOutput(text) }
        case .clipboardNotify(let formats):
            // The viewer has new text: ask for it.
            if formats.contains(.text), !configurationIsViewOnly {
                write { $0.writeExtendedServerCutText(.request(.text)) }
            }
        case .clipboardRequest(let formats):
            if formats.contains(.text) {
                let text = outputClipboard
                write { $0.writeExtendedServerCutText(.providing(text: text)) }
            }
        case .clipboardPeek:
            let formats: ClipboardFormats = outputClipboard.isEmpty ? [] : .text
            write { $0.writeExtendedServerCutText(.notify(formats)) }
        case .clipboardCaps:
            break // Porthole only ever sends text, which every Extended Clipboard viewer takes.
        default:
            break
        }
    }

    /// Another viewer changed the output's clipboard (called on this viewer's thread).
    func clipboardChanged(_ text: String) {
        guard isInSession else { return }
        if updates.preferences.extendedClipboard {
            // Tell it the clipboard has text; it asks with `request` when it wants it.
            write { $0.writeExtendedServerCutText(.notify(.text)) }
        } else {
            let latin1 = Latin1.bytes(from: text)
            write { $0.writeServerCutText(latin1) }
        }
    }
}
