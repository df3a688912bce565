import Geometry
import NIOCore
import Pixels
import RFB

/// What the server told a viewer in ServerInit (RFC 6143 §7.3.2).
public struct ServerInitInfo: Hashable, Sendable {
    public var size: Size
    public var pixelFormat: PixelFormat
    public var name: String

    public init(size: Size, pixelFormat: PixelFormat, name: String) {
        self.size = size; self.pixelFormat = pixelFormat; self.name = name
    }
}

/// What a `ClientStateMachine` asks its edge to do, or tells it happened, in order.
public enum ClientAction: Equatable, Sendable {
    /// Write these bytes to the server.
    case send(ByteBuffer)
    /// The handshake is over; the framebuffer exists and messages may be sent.
    case connected(ServerInitInfo)
    /// A FramebufferUpdate was applied; `region` is where pixels changed (possibly empty).
    case framebufferUpdated(Region)
    /// The server resized the framebuffer (DesktopSize pseudo-rectangle).
    case resized(Size)
    /// The server renamed the desktop (DesktopName pseudo-rectangle).
    case nameChanged(String)
    /// Bell (RFC 6143 §7.6.3).
    case bell
    /// The server's clipboard, ISO 8859-1 bytes (RFC 6143 §7.6.4).
    case cutText([UInt8])
    /// An ExtendedDesktopSize rectangle: the framebuffer size and screens, why they are sent and
    /// the result of this viewer's SetDesktopSize (rfbproto "ExtendedDesktopSize Pseudo-encoding").
    /// When the size changed, `.resized` comes first.
    case desktopLayout(ExtendedDesktopSize)
    /// The server confirmed a pseudo-encoding with an empty pseudo-rectangle: QEMU Extended Key
    /// Event or ExtendedMouseButtons; the matching messages may be sent from now on.
    case extensionConfirmed(Encoding)
    /// EndOfContinuousUpdates (rfbproto): the server supports continuous updates (the first one),
    /// or has stopped sending them after a disable.
    case endOfContinuousUpdates
    /// The answer to this viewer's own fence request (rfbproto "ServerFence" without Request).
    /// Fence requests from the server are answered by the machine itself (a `.send`).
    case fence(flags: FenceFlags, payload: [UInt8])
    /// The server set the cursor image (Cursor or XCursor pseudo-rectangle); a 0x0 shape hides it.
    case cursorShape(CursorShape)
    /// The server moved the pointer (PointerPos pseudo-rectangle).
    case cursorMoved(Point)
    /// An extended ServerCutText (rfbproto "Extended Clipboard Pseudo-Encoding").
    case clipboard(ExtendedClipboardMessage)
    /// The input ended inside a message; the bytes are kept until the rest arrives.
    case needsMoreData
    /// The connection cannot go on; close it. The machine ignores further input.
    case error(ClientError)
}

/// Why a viewer gives up on a server.
public enum ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    case badVersion(ProtocolVersion.ParseError)
    /// The server refused during the security step, with its reason (RFC 6143 §7.1.2).
    case connectionRefused(reason: String)
    /// The server offered no security type this client implements.
    case noSupportedSecurityType([SecurityType])
    /// The server asks for VNC Authentication and no password was configured.
    case passwordRequired
    /// SecurityResult said "failed"; the reason exists only in 3.8 (RFC 6143 §7.1.3).
    case authenticationFailed(reason: String?)
    /// A length field is larger than the client accepts; nothing was allocated for it.
    case lengthTooLarge(field: String, length: UInt64, limit: Int)
    /// ServerInit or DesktopSize asked for a framebuffer larger than the client accepts.
    case framebufferTooLarge(Size)
    case unknownMessageType(UInt8)
    /// A rectangle uses an encoding no decoder was given for.
    case unknownEncoding(Encoding)
    case rectangleOutsideFramebuffer(Rect, framebuffer: Size)
    /// Rectangles arrived while the client's pixel format is one decoders cannot handle.
    case unsupportedPixelFormat(PixelFormat)
    case malformedRectangle(Encoding, String)
    /// ServerFence declared more than the 64 payload bytes rfbproto allows.
    case fencePayloadTooLong(Int)
    /// A Cursor or XCursor rectangle larger than `ClientLimits.maximumCursorPixels`.
    case cursorTooLarge(Size)
    /// An extended ServerCutText that cannot be decoded.
    case malformedClipboard(ExtendedClipboardError)

    public var description: String {
        switch self {
        case .badVersion(let error): return error.description
        case .connectionRefused(let reason): return "server refused the connection: \(reason)"
        case .noSupportedSecurityType(let types): return "no supported security type among \(types)"
        case .passwordRequired: return "the server requires a password"
        case .authenticationFailed(let reason): return "authentication failed" + (reason.map { ": \($0)" } ?? "")
        case .lengthTooLarge(let field, let length, let limit): return "\(field) of \(length) bytes exceeds the limit of \(limit)"
        case .framebufferTooLarge(let size): return "framebuffer \(size) is larger than allowed"
        case .unknownMessageType(let type): return "unknown server message type \(type)"
        case .unknownEncoding(let encoding): return "rectangle in unsupported encoding \(encoding)"
        case .rectangleOutsideFramebuffer(let rect, let size): return "rectangle \(rect) lies outside the \(size) framebuffer"
        case .unsupportedPixelFormat(let format): return "cannot decode pixels in format \(format)"
        case .malformedRectangle(let encoding, let why): return "malformed \(encoding) rectangle: \(why)"
        case .fencePayloadTooLong(let length): return "ServerFence declares a \(length)-byte payload (at most 64)"
        case .cursorTooLarge(let size): return "cursor \(size) is larger than allowed"
        case .malformedClipboard(let error): return error.description
        }
    }
}

/// Bounds on what a server's messages may make the client allocate.
public struct ClientLimits: Hashable, Sendable {
    /// Longest reason string accepted from the handshake.
    public var maximumReasonLength: Int
    /// Longest desktop name accepted (ServerInit and DesktopName).
    public var maximumNameLength: Int
    /// Longest ServerCutText accepted.
    public var maximumCutTextLength: Int
    /// Largest framebuffer, in pixels (4 bytes each), accepted from ServerInit or DesktopSize.
    public var maximumFramebufferPixels: Int
    /// Largest cursor image, in pixels, accepted from Cursor and XCursor rectangles.
    public var maximumCursorPixels: Int

    /// `maximumCutTextLength` also bounds extended ServerCutText, compressed and inflated.
    public init(maximumReasonLength: Int = 64 << 10, maximumNameLength: Int = 64 << 10,
                maximumCutTextLength: Int = 1 << 20, maximumFramebufferPixels: Int = 8192 * 8192,
                maximumCursorPixels: Int = 256 * 256) {
        self.maximumReasonLength = maximumReasonLength
        self.maximumNameLength = maximumNameLength
        self.maximumCutTextLength = maximumCutTextLength
        self.maximumFramebufferPixels = maximumFramebufferPixels
        self.maximumCursorPixels = maximumCursorPixels
    }
}

/// How a `ClientStateMachine` introduces itself.
public struct ClientConfiguration: Sendable {
    /// The VNC password, if the server may ask for one.
    public var password: [UInt8]?
    /// ClientInit's shared flag (RFC 6143 §7.3.1): true leaves other viewers connected.
    public var shared: Bool
    /// The newest version the client admits to; tests lower it to exercise 3.3 and 3.7.
    public var highestVersion: ProtocolVersion
    public var limits: ClientLimits

    public init(password: [UInt8]? = nil, shared: Bool = true, highestVersion: ProtocolVersion = .v3_8,
                limits: ClientLimits = ClientLimits()) {
        self.password = password
        self.shared = shared
        self.highestVersion = highestVersion
        self.limits = limits
    }
}
