import Geometry
import NIOCore
import Pixels

/// What a viewer's messages ask of the server, in order.
public enum ServerSessionAction: Hashable, Sendable {
    /// Disconnect the viewer; `reason` is for the log.
    case close(reason: String)
    /// Send pixels in this (validated) format from the next update on (RFC 6143 §7.5.1).
    case setPixelFormat(PixelFormat)
    /// The viewer's encodings changed (RFC 6143 §7.5.2).
    case setEncodings(EncodingPreferences)
    /// The viewer wants `rect`, already clipped to the framebuffer and never empty (§7.5.3).
    case updateRequested(incremental: Bool, rect: Rect)
    /// A key event (RFC 6143 §7.5.4).
    case key(down: Bool, keysym: UInt32)
    /// A pointer event with the position clamped into the framebuffer (RFC 6143 §7.5.5).
    case pointer(buttonMask: UInt8, x: Int, y: Int)
    /// The viewer's clipboard, ISO 8859-1 bytes (RFC 6143 §7.5.6; `Latin1.string(from:)`).
    case clientCutText([UInt8])
}

/// The server side of the normal protocol phase (RFC 6143 §7.5): decodes a viewer's messages,
/// checks them against the framebuffer and the spec, and turns them into actions. Pure.
///
/// Anything the spec forbids or Porthole cannot honour (an unknown message, a colour-map or
/// 24-bit pixel format, lengths over the limits) yields one `.close` with a reason for the log;
/// after that the machine ignores further input. Sloppiness the spec tolerates is repaired:
/// update requests reaching past the framebuffer are clipped, those entirely outside it (a viewer
/// racing a resize) are dropped, and pointer positions are clamped.
public struct ServerSessionStateMachine {
    public private(set) var framebufferSize: Size
    /// The format the viewer asked for last (the server's own until it asks).
    public private(set) var pixelFormat: PixelFormat
    public private(set) var encodingPreferences = EncodingPreferences()
    public private(set) var isClosed = false
    /// Pixel encodings the server implements, used to pick `EncodingPreferences.preferred`.
    public let supportedEncodings: Set<Encoding>
    private var decoder: ClientMessageDecoder

    public init(framebufferSize: Size, pixelFormat: PixelFormat = .xrgb8888, supportedEncodings: Set<Encoding>,
                limits: ClientMessageLimits = ClientMessageLimits()) {
        self.framebufferSize = framebufferSize
        self.pixelFormat = pixelFormat
        self.supportedEncodings = supportedEncodings
        decoder = ClientMessageDecoder(limits: limits)
    }

    /// The framebuffer changed size; later requests and pointer events are checked against the new one.
    public mutating func resizeFramebuffer(to size: Size) { framebufferSize = size }

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
            if let action = handle(message) { actions.append(action) }
            if isClosed { return actions }
        }
    }

    private mutating func handle(_ message: ClientMessage) -> ServerSessionAction? {
        switch message {
        case .setPixelFormat(let format):
            do {
                try format.validate()
            } catch {
                return close("unsupported pixel format (\(format)): \(error.description)").first
            }
            pixelFormat = format
            return .setPixelFormat(format)
        case .setEncodings(let encodings):
            encodingPreferences = EncodingPreferences(requested: encodings, supported: supportedEncodings)
            return .setEncodings(encodingPreferences)
        case .framebufferUpdateRequest(let incremental, let rect):
            let clipped = rect.intersection(Rect(size: framebufferSize))
            return clipped.isEmpty ? nil : .updateRequested(incremental: incremental, rect: clipped)
        case .keyEvent(let down, let keysym):
            return .key(down: down, keysym: keysym)
        case .pointerEvent(let mask, let x, let y):
            return .pointer(buttonMask: mask,
                            x: min(x, max(framebufferSize.width - 1, 0)), y: min(y, max(framebufferSize.height - 1, 0)))
        case .clientCutText(let text):
            return .clientCutText(text)
        }
    }

    private mutating func close(_ reason: String) -> [ServerSessionAction] {
        isClosed = true
        return [.close(reason: reason)]
    }
}
