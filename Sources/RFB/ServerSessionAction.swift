import Geometry
import Pixels

/// What a viewer's messages ask of the server, in order. The edge performs them in that order;
/// each says which writer (if any) produces the bytes to send.
public enum ServerSessionAction: Hashable, Sendable {
    /// Disconnect the viewer; `reason` is for the log.
    case close(reason: String)
    /// Send pixels in this (validated) format from the next update on (RFC 6143 §7.5.1). For a
    /// viewer that asked for a colour map this is `ColourMapStandIn.format`, followed by
    /// `.sendColourMap`.
    case setPixelFormat(PixelFormat)
    /// Fill the viewer's colour map with `ColourMapStandIn.entries` (SetColourMapEntries, RFC 6143
    /// §7.6.2, first colour 0), before the next update.
    case sendColourMap
    /// The viewer's encodings changed (RFC 6143 §7.5.2).
    case setEncodings(EncodingPreferences)
    /// The viewer wants `rect`, already clipped to the framebuffer and never empty (§7.5.3).
    /// With ExtendedDesktopSize negotiated, the answer to a non-incremental request must hold an
    /// ExtendedDesktopSize rectangle (reason `.server`, `writeExtendedDesktopSize`). While
    /// continuous updates are on, incremental requests are dropped by the machine.
    case updateRequested(incremental: Bool, rect: Rect)
    /// A FramebufferUpdateRequest reached past the framebuffer (for the log; RFC 6143 §7.5.3 does
    /// not allow it, but a viewer racing a resize sends one). `clipped` is what is served: the
    /// part inside, followed by its `.updateRequested`, or nil when nothing was inside and the
    /// request is dropped.
    case updateRequestOutside(requested: Rect, framebuffer: Size, clipped: Rect?)
    /// A key event (RFC 6143 §7.5.4).
    case key(down: Bool, keysym: UInt32)
    /// A pointer event with the position clamped into the framebuffer (RFC 6143 §7.5.5). Bit n
    /// is button n + 1; bits 8 and up come only from ExtendedMouseButtons viewers.
    case pointer(buttonMask: UInt16, x: Int, y: Int)
    /// The viewer's clipboard, ISO 8859-1 bytes (RFC 6143 §7.5.6; `Latin1.string(from:)`).
    case clientCutText([UInt8])

    // MARK: Confirmations the edge sends when a viewer lists a pseudo-encoding

    /// Send EndOfContinuousUpdates now (`writeEndOfContinuousUpdates()`): the viewer listed
    /// ContinuousUpdates for the first time (rfbproto "ContinuousUpdates Pseudo-encoding").
    case confirmContinuousUpdates
    /// Send a ServerFence now (`writeFence(flags: .request, payload: [])`, any flags and payload
    /// will do): the viewer listed Fence for the first time (rfbproto "Fence Pseudo-encoding").
    /// Its answer arrives as a `.fence` without `.request`.
    case confirmFence
    /// Send extended clipboard caps now (`writeExtendedServerCutText(.portholeCaps(...))`): the
    /// viewer listed Extended Clipboard; rfbproto wants caps after every such SetEncodings.
    case confirmExtendedClipboard
    /// Put `writeQEMUExtendedKeyEventConfirmation()` in the next FramebufferUpdate: the viewer
    /// listed QEMU Extended Key Event for the first time.
    case confirmQEMUExtendedKeyEvent
    /// Put `writeExtendedMouseButtonsConfirmation()` in the next FramebufferUpdate: the viewer
    /// listed ExtendedMouseButtons for the first time. The machine already reads seven-byte
    /// PointerEvents from this viewer.
    case confirmExtendedMouseButtons

    // MARK: Extensions

    /// A valid SetDesktopSize (rfbproto "SetDesktopSize"): the layout is non-empty, inside the
    /// limits, screens inside the framebuffer with unique ids. The edge applies it (or not) and
    /// must answer this viewer with an ExtendedDesktopSize of reason `.thisClient` and the
    /// resulting status, carrying the requested layout on success, as soon as possible (its own
    /// update via `writeExtendedDesktopSizeUpdate`, or first in the next one); on success every
    /// other ExtendedDesktopSize viewer gets reason `.otherClient`.
    case setDesktopSize(DesktopLayout)
    /// A SetDesktopSize that cannot be honoured. `reply` (reason `.thisClient`, status
    /// `.invalidScreenLayout`, the current layout) is ready to send with
    /// `writeExtendedDesktopSizeUpdate(reply)`; `why` is for the log. Nobody else is told.
    case desktopSizeRejected(reply: ExtendedDesktopSize, why: String)
    /// rfbproto "EnableContinuousUpdates" with enable set: from now on send updates of `rect`
    /// (clipped to the framebuffer, possibly empty) whenever it changes, without waiting for
    /// requests, still one at a time. Replaces any earlier area.
    case enableContinuousUpdates(Rect)
    /// rfbproto "EnableContinuousUpdates" with enable clear: stop unsolicited updates, then send
    /// EndOfContinuousUpdates (`writeEndOfContinuousUpdates()`) after any update in flight, even
    /// if continuous updates were already off.
    case disableContinuousUpdates
    /// A ClientFence (rfbproto "ClientFence"). With `.request` set, answer with
    /// `writeFence(flags: flags.response, payload: payload)` once everything produced for earlier
    /// actions has been queued for sending; the machine has already delayed this action past the
    /// next message's actions when `.syncNext` is set, so answering in action order honours
    /// BlockBefore, BlockAfter and SyncNext. Without `.request` it answers a ServerFence.
    case fence(flags: FenceFlags, payload: [UInt8])
    /// rfbproto "QEMU Extended Key Event Message": a key with its XT keycode (and keysym, 0 when
    /// unknown).
    case qemuKey(down: Bool, keysym: UInt32, keycode: UInt32)
    /// The viewer's extended clipboard caps (formats, actions and unsolicited size limits).
    case clipboardCaps(actions: ClipboardActions, maximumSizes: [ClipboardFormats: UInt32])
    /// The viewer asks for the server's clipboard in these formats (answer with a provide).
    case clipboardRequest(ClipboardFormats)
    /// The viewer asks which formats the server's clipboard holds (answer with a notify).
    case clipboardPeek
    /// The viewer's clipboard changed and holds these formats (request them to get the data).
    case clipboardNotify(ClipboardFormats)
    /// The viewer's clipboard contents: the text (LF line ends) if the text format was provided.
    case clipboardProvide(text: String?)
}
