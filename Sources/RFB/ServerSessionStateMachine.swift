import Geometry
import NIOCore
import Pixels

/// The server side of the normal protocol phase (RFC 6143 §7.5 and the rfbproto extensions in
/// `ServerExtensions`): decodes a viewer's messages, checks them against the framebuffer and the
/// spec, and turns them into actions. Pure.
///
/// Anything the spec forbids or Porthole cannot honour (an unknown message, a 16- or 32-bit
/// colour map, a 24-bit pixel format, lengths over the limits, an extension message the viewer
/// never negotiated) yields one `.close` with a reason for the log; after that the machine
/// ignores further input.
/// Sloppiness the spec tolerates is repaired: update requests reaching past the framebuffer are
/// clipped, those entirely outside it (a viewer racing a resize) are dropped, either way with an
/// `.updateRequestOutside` for the log, and pointer positions are clamped.
public struct ServerSessionStateMachine {
    public private(set) var framebufferSize: Size
    /// The current screen layout, reported in ExtendedDesktopSize replies. One screen covering the
    /// framebuffer unless the edge sets another with `setLayout(_:)`.
    public private(set) var layout: DesktopLayout
    /// The format the viewer asked for last (the server's own until it asks).
    public private(set) var pixelFormat: PixelFormat
    public private(set) var encodingPreferences = EncodingPreferences()
    public private(set) var isClosed = false
    /// Pixel encodings the server implements, used to pick `EncodingPreferences.preferred`.
    public let supportedEncodings: Set<Encoding>
    /// The extensions the server offers.
    public let extensions: ServerExtensions
    /// Largest framebuffer side a SetDesktopSize may ask for.
    public let maximumDesktopSide: Int
    /// The area of continuous updates while they are on (rfbproto "EnableContinuousUpdates").
    public private(set) var continuousUpdatesRect: Rect?
    private var decoder: ClientMessageDecoder
    /// Extensions already confirmed to this viewer (each once per connection).
    private var confirmed: ServerExtensions = []
    /// A fence request with SyncNext, answered after the next message's actions; armed once the
    /// fence itself has been handled.
    private var heldFence: (flags: FenceFlags, payload: [UInt8], armed: Bool)?

    public init(framebufferSize: Size, pixelFormat: PixelFormat = .xrgb8888, supportedEncodings: Set<Encoding>,
                extensions: ServerExtensions = .all, limits: ClientMessageLimits = ClientMessageLimits(),
                maximumDesktopSide: Int = 16384) {
        self.framebufferSize = framebufferSize
        layout = DesktopLayout(singleScreen: framebufferSize)
        self.pixelFormat = pixelFormat
        self.supportedEncodings = supportedEncodings
        self.extensions = extensions
        self.maximumDesktopSide = maximumDesktopSide
        decoder = ClientMessageDecoder(limits: limits)
    }

    /// The framebuffer changed size; later requests and pointer events are checked against the
    /// new one. The layout becomes one screen covering it.
    public mutating func resizeFramebuffer(to size: Size) {
        setLayout(DesktopLayout(singleScreen: size))
    }

    /// The framebuffer size and screens changed (a SetDesktopSize was applied, or the output
    /// changed on the server).
    public mutating func setLayout(_ newLayout: DesktopLayout) {
        framebufferSize = newLayout.size
        layout = newLayout
        if let rect = continuousUpdatesRect { continuousUpdatesRect = rect.intersection(Rect(size: newLayout.size)) }
    }

    /// A message begun but not complete, as "10 bytes of a SetPixelFormat", for the log line of a
    /// viewer that disconnects in the middle of one; nil between messages and after a `.close`.
    public var incompleteMessage: String? {
        guard !isClosed, let (type, bytes) = decoder.incompleteMessage else { return nil }
        return "\(bytes) byte\(bytes == 1 ? "" : "s") of a \(ClientMessage.name(ofType: type))"
    }

    /// Feeds bytes from the viewer, in any split.
    public mutating func receive(_ bytes: ByteBuffer) -> [ServerSessionAction] {
        guard !isClosed else { return [] }
        decoder.append(bytes)
        var actions: [ServerSessionAction] = []
        while true {
            let message: ClientMessage?
            do {
                message = try decoder.next()
            } catch {
                return actions + close(error.description)
            }
            guard let message else { return actions }
            actions += handle(message)
            if isClosed { return actions }
            // rfbproto "ClientFence", SyncNext: answer after the message that followed the fence.
            if let held = heldFence {
                if held.armed {
                    heldFence = nil
                    actions.append(.fence(flags: held.flags, payload: held.payload))
                } else {
                    heldFence?.armed = true
                }
            }
        }
    }

    private func offers(_ extensionFlag: ServerExtensions, listed: Bool) -> Bool {
        listed && extensions.contains(extensionFlag)
    }

    private mutating func handle(_ message: ClientMessage) -> [ServerSessionAction] {
        switch message {
        case .setPixelFormat(let format):
            do {
                try format.validate()
            } catch {
                return close("unsupported pixel format (\(format)): \(error.description)")
            }
            pixelFormat = format
            guard format.trueColour else { return [.setPixelFormat(ColourMapStandIn.format), .sendColourMap] }
            return [.setPixelFormat(format)]
        case .setEncodings(let encodings):
            return setEncodings(encodings)
        case .framebufferUpdateRequest(let incremental, let rect):
            // rfbproto "EnableContinuousUpdates": incremental requests are ignored while they run.
            if incremental && continuousUpdatesRect != nil { return [] }
            // An empty request asks for nothing, wherever it is.
            guard !rect.isEmpty else { return [] }
            let clipped = rect.intersection(Rect(size: framebufferSize))
            guard clipped != rect else { return [.updateRequested(incremental: incremental, rect: rect)] }
            let outside = ServerSessionAction.updateRequestOutside(requested: rect, framebuffer: framebufferSize,
                                                                   clipped: clipped.isEmpty ? nil : clipped)
            return clipped.isEmpty ? [outside] : [outside, .updateRequested(incremental: incremental, rect: clipped)]
        case .keyEvent(let down, let keysym):
            return [.key(down: down, keysym: keysym)]
        case .pointerEvent(let mask, let x, let y):
            return [pointer(UInt16(mask), x, y)]
        case .extendedPointerEvent(let mask, let x, let y):
            return [pointer(mask, x, y)]
        case .clientCutText(let text):
            return [.clientCutText(text)]
        case .extendedClientCutText(let clipboard):
            switch clipboard {
            case .caps(let actions, let sizes): return [.clipboardCaps(actions: actions, maximumSizes: sizes)]
            case .request(let formats): return [.clipboardRequest(formats)]
            case .peek: return [.clipboardPeek]
            case .notify(let formats): return [.clipboardNotify(formats)]
            case .provide: return [.clipboardProvide(text: clipboard.text)]
            }
        case .enableContinuousUpdates(let enable, let rect):
            guard offers(.continuousUpdates, listed: encodingPreferences.continuousUpdates) else {
                return close("EnableContinuousUpdates from a viewer that did not negotiate ContinuousUpdates")
            }
            guard enable else {
                continuousUpdatesRect = nil
                return [.disableContinuousUpdates]
            }
            let clipped = rect.intersection(Rect(size: framebufferSize))
            continuousUpdatesRect = clipped
            return [.enableContinuousUpdates(clipped)]
        case .fence(let flags, let payload):
            guard offers(.fence, listed: encodingPreferences.fence) else {
                return close("ClientFence from a viewer that did not negotiate Fence")
            }
            guard flags.contains(.request) && flags.contains(.syncNext) else { return [.fence(flags: flags, payload: payload)] }
            // A second SyncNext fence is itself the message following the first one.
            var actions: [ServerSessionAction] = []
            if let earlier = heldFence { actions.append(.fence(flags: earlier.flags, payload: earlier.payload)) }
            heldFence = (flags, payload, false)
            return actions
        case .setDesktopSize(let requested):
            guard offers(.extendedDesktopSize, listed: encodingPreferences.extendedDesktopSize) else {
                return close("SetDesktopSize from a viewer that did not negotiate ExtendedDesktopSize")
            }
            if let why = requested.validationFailure(maximumSide: maximumDesktopSide) {
                let reply = ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: layout)
                return [.desktopSizeRejected(reply: reply, why: "SetDesktopSize \(requested): \(why)")]
            }
            return [.setDesktopSize(requested)]
        case .qemuExtendedKeyEvent(let down, let keysym, let keycode):
            guard offers(.qemuExtendedKeyEvent, listed: encodingPreferences.qemuExtendedKeyEvent) else {
                return close("QEMU Extended Key Event from a viewer that did not negotiate it")
            }
            return [.qemuKey(down: down, keysym: keysym, keycode: keycode)]
        }
    }

    /// RFC 6143 §7.5.2 plus the confirmations rfbproto asks for when pseudo-encodings appear.
    private mutating func setEncodings(_ encodings: [Encoding]) -> [ServerSessionAction] {
        encodingPreferences = EncodingPreferences(requested: encodings, supported: supportedEncodings)
        let preferences = encodingPreferences
        decoder.extendedMouseButtons = offers(.extendedMouseButtons, listed: preferences.extendedMouseButtons)
        decoder.extendedClipboard = offers(.extendedClipboard, listed: preferences.extendedClipboard)
        var actions: [ServerSessionAction] = [.setEncodings(preferences)]
        func confirmOnce(_ flag: ServerExtensions, listed: Bool, _ action: ServerSessionAction) {
            guard offers(flag, listed: listed), !confirmed.contains(flag) else { return }
            confirmed.insert(flag)
            actions.append(action)
        }
        confirmOnce(.continuousUpdates, listed: preferences.continuousUpdates, .confirmContinuousUpdates)
        confirmOnce(.fence, listed: preferences.fence, .confirmFence)
        confirmOnce(.qemuExtendedKeyEvent, listed: preferences.qemuExtendedKeyEvent, .confirmQEMUExtendedKeyEvent)
        confirmOnce(.extendedMouseButtons, listed: preferences.extendedMouseButtons, .confirmExtendedMouseButtons)
        // rfbproto "Extended Clipboard Pseudo-Encoding": caps on every SetEncodings listing it.
        if offers(.extendedClipboard, listed: preferences.extendedClipboard) { actions.append(.confirmExtendedClipboard) }
        return actions
    }

    private func pointer(_ mask: UInt16, _ x: Int, _ y: Int) -> ServerSessionAction {
        .pointer(buttonMask: mask, x: min(x, max(framebufferSize.width - 1, 0)), y: min(y, max(framebufferSize.height - 1, 0)))
    }

    private mutating func close(_ reason: String) -> [ServerSessionAction] {
        isClosed = true
        return [.close(reason: reason)]
    }
}
