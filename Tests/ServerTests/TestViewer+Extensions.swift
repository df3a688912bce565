import Geometry
import NIOCore
import RFB
import RFBClient

/// The rfbproto extension messages a `TestViewer` can send, and viewer options that list
/// extension pseudo-encodings.
extension TestViewer {
    func setDesktopSize(_ layout: DesktopLayout) async {
        await sendFromMachine { $0.setDesktopSize(layout) }
    }

    /// EnableContinuousUpdates for the whole framebuffer, or disables them.
    func enableContinuousUpdates(_ enable: Bool) async {
        await sendFromMachine { $0.enableContinuousUpdates(enable) }
    }

    func qemuKeyEvent(down: Bool, keysym: UInt32, keycode: UInt32) async {
        await sendFromMachine { $0.qemuKeyEvent(down: down, keysym: keysym, keycode: keycode) }
    }

    /// A pointer event for buttons 1 to 15; in the seven-byte form once the server confirmed
    /// ExtendedMouseButtons and a button above 7 is down.
    func pointerEvent(buttons: UInt16, x: Int, y: Int) async {
        await sendFromMachine { $0.pointerEvent(buttons: buttons, x: x, y: y) }
    }

    func clipboard(_ message: ExtendedClipboardMessage) async {
        await sendFromMachine { $0.clipboard(message) }
    }

    /// The texts of the extended clipboard provides received, in order.
    var providedTexts: [String] { clipboardMessages.compactMap(\.text) }

    /// The ExtendedDesktopSize rectangles that answered this viewer's own SetDesktopSize.
    var desktopSizeAnswers: [ExtendedDesktopSize] { layouts.filter { $0.reason == .thisClient } }
}

extension TestViewer.Options {
    /// The pixel encodings the extension tests list before their pseudo-encodings.
    static let pixelEncodings: [Encoding] = [.zrle, .hextile, .copyRect, .raw]

    /// Options whose SetEncodings lists `pixelEncodings` and then `pseudoEncodings`, nothing else.
    static func listing(_ pseudoEncodings: [Encoding], requestsAutomatically: Bool = true) -> Self {
        var options = TestViewer.Options()
        options.encodings = pixelEncodings + pseudoEncodings
        options.requestsAutomatically = requestsAutomatically
        return options
    }
}
