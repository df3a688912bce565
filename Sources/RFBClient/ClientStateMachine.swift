import Geometry
import NIOCore
import Pixels
import RFB

/// The viewer side of RFB (RFC 6143), pure: bytes from the server in, actions out, and methods
/// that return the bytes of the viewer's own messages. It runs the handshake for 3.3, 3.7 and 3.8
/// with security None or VNC Authentication, then keeps a framebuffer (`PixelBuffer`, canonical
/// XRGB8888) up to date from FramebufferUpdates, drawing rectangles with the decoders it was given.
///
/// Input may arrive in any split: whatever does not yet form a whole message (or a whole rectangle
/// for its decoder) is kept and retried when more comes. Every length the server declares is
/// checked against `ClientLimits` before anything is allocated for it.
public struct ClientStateMachine {
    enum Phase {
        case awaitingVersion
        case awaitingSecurityType          // 3.3: U32 chosen by the server
        case awaitingSecurityTypeList      // 3.7+: U8 count, types
        case awaitingChallenge
        case awaitingSecurityResult
        case awaitingFailureReason(FailureKind)
        case awaitingServerInit
        case normal
        case failed
    }

    enum FailureKind { case refused, authentication }

    public let configuration: ClientConfiguration
    var decoders: [Encoding: any RectangleDecoder]
    var phase = Phase.awaitingVersion
    var buffer = ByteBuffer()
    /// Rectangles still expected in the FramebufferUpdate being read, and where it changed pixels.
    var update: (remaining: Int, region: Region)?

    /// The version spoken, once the server's has been read.
    public internal(set) var version: ProtocolVersion?
    /// What ServerInit said, once it has arrived.
    public internal(set) var serverInit: ServerInitInfo?
    /// The desktop name (from ServerInit, then DesktopName).
    public internal(set) var name = ""
    /// The pixel format rectangles arrive in: the server's, until `setPixelFormat` changes it.
    public internal(set) var pixelFormat = PixelFormat.xrgb8888
    /// The viewer's copy of the server's framebuffer.
    public internal(set) var framebuffer = PixelBuffer(width: 0, height: 0)
    /// The encodings this viewer listed last with `setEncodings`; the Extended Clipboard changes
    /// how ServerCutText is read once listed.
    public internal(set) var announcedEncodings: [Encoding] = []
    /// The screen layout from the last ExtendedDesktopSize rectangle.
    public internal(set) var layout: DesktopLayout?
    /// The cursor image from the last Cursor or XCursor rectangle.
    public internal(set) var cursor: CursorShape?
    /// The pointer position from the last PointerPos rectangle.
    public internal(set) var cursorPosition: Point?
    /// Extensions the server has confirmed: ExtendedDesktopSize (an ExtendedDesktopSize
    /// rectangle arrived), ContinuousUpdates (EndOfContinuousUpdates), Fence (a ServerFence),
    /// QEMU Extended Key Event and ExtendedMouseButtons (their empty pseudo-rectangles) and
    /// Extended Clipboard (caps). Their messages may be sent only once confirmed.
    public internal(set) var confirmedExtensions: Set<Encoding> = []
    /// A server fence request with SyncNext, answered once the next message has been handled;
    /// armed once the fence itself has been.
    var heldFence: (response: FenceFlags, payload: [UInt8], armed: Bool)?

    /// - Parameter decoders: one per encoding the client can draw, keyed by encoding number.
    ///   Pseudo-encodings DesktopSize, LastRect and DesktopName are handled by the machine itself.
    public init(configuration: ClientConfiguration = ClientConfiguration(), decoders: [Encoding: any RectangleDecoder]) {
        self.configuration = configuration
        self.decoders = decoders
    }

    /// Whether the handshake is over and the normal protocol runs.
    public var isConnected: Bool { if case .normal = phase { return true } else { return false } }

    /// Feeds bytes from the server, in any split.
    public mutating func receive(_ bytes: ByteBuffer) -> [ClientAction] {
        if case .failed = phase { return [] }
        var bytes = bytes
        buffer.writeBuffer(&bytes)
        var actions: [ClientAction] = []
        do {
            while let step = try step() {
                actions += step
                if heldFence != nil { actions += releaseHeldFence() }
            }
        } catch {
            phase = .failed
            buffer = ByteBuffer()
            return actions + [.error(error)]
        }
        if buffer.readerIndex > 65536 { buffer.discardReadBytes() }
        if buffer.readableBytes > 0 || update != nil { actions.append(.needsMoreData) }
        return actions
    }

    /// Runs one step if its bytes are all there; nil when more are needed.
    private mutating func step() throws(ClientError) -> [ClientAction]? {
        switch phase {
        case .failed: return nil
        case .normal: return try stepNormal()
        default: return try stepHandshake()
        }
    }

    // MARK: Messages from the viewer (RFC 6143 §7.5)

    /// SetPixelFormat: rectangles after this are decoded in `format`.
    public mutating func setPixelFormat(_ format: PixelFormat) throws(PixelFormat.ValidationError) -> ByteBuffer {
        try format.validate()
        pixelFormat = format
        return Self.message(.setPixelFormat(format))
    }

    /// SetEncodings with an explicit list, most preferred first. The machine remembers the list:
    /// with Extended Clipboard in it, ServerCutText with a negative length is read as an extended
    /// clipboard message (rfbproto "Extended Clipboard Pseudo-Encoding").
    public mutating func setEncodings(_ encodings: [Encoding]) -> ByteBuffer {
        announcedEncodings = encodings
        return Self.message(.setEncodings(encodings))
    }

    /// SetEncodings listing every encoding a decoder was given for (compressing ones first, Raw
    /// last) and the basic pseudo-encodings the machine understands. `extensionEncodings` lists
    /// the rfbproto extensions it understands too.
    public mutating func setEncodings() -> ByteBuffer { setEncodings(defaultEncodings) }

    /// The list `setEncodings()` sends.
    public var defaultEncodings: [Encoding] {
        let rank: [Encoding] = [.tight, .zrle, .hextile, .rre, .copyRect, .raw]
        let known = rank.filter { decoders[$0] != nil }
        let others = decoders.keys.filter { !rank.contains($0) }.sorted { $0.rawValue < $1.rawValue }
        return known.filter { $0 != .raw } + others + (decoders[.raw] != nil ? [.raw] : [])
            + [.desktopSize, .lastRect, .desktopName]
    }

    /// The rfbproto extension pseudo-encodings the machine understands, for appending to
    /// `defaultEncodings`.
    public static let extensionEncodings: [Encoding] = [
        .extendedDesktopSize, .continuousUpdates, .fence, .qemuExtendedKeyEvent, .extendedMouseButtons,
        .cursor, .xCursor, .cursorPosition, .extendedClipboard,
    ]

    /// FramebufferUpdateRequest for `rect` (the whole framebuffer when nil).
    public func requestUpdate(incremental: Bool, rect: Rect? = nil) -> ByteBuffer {
        Self.message(.framebufferUpdateRequest(incremental: incremental, rect: rect ?? framebuffer.bounds))
    }

    public func keyEvent(down: Bool, keysym: UInt32) -> ByteBuffer {
        Self.message(.keyEvent(down: down, keysym: keysym))
    }

    public func pointerEvent(buttonMask: UInt8, x: Int, y: Int) -> ByteBuffer {
        Self.message(.pointerEvent(buttonMask: buttonMask, x: x, y: y))
    }

    /// ClientCutText; `latin1` is ISO 8859-1 (see `Latin1.bytes(from:)`).
    public func cutText(_ latin1: [UInt8]) -> ByteBuffer {
        Self.message(.clientCutText(latin1))
    }

    static func message(_ message: ClientMessage) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeClientMessage(message)
        return out
    }

    // MARK: Helpers shared by the handshake and the normal phase

    /// Reads a U32-length-prefixed byte string starting `offset` bytes into the buffer, checking
    /// the length against `limit` before waiting for or allocating the bytes. Consumes the offset,
    /// length and bytes; returns nil (consuming nothing) when not all have arrived.
    mutating func readLengthPrefixed(after offset: Int, field: String, limit: Int) throws(ClientError) -> [UInt8]? {
        guard let length = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt32.self),
              buffer.readableBytes >= offset + 4 else { return nil }
        guard UInt64(length) <= UInt64(max(limit, 0)) else {
            throw .lengthTooLarge(field: field, length: UInt64(length), limit: limit)
        }
        guard buffer.readableBytes >= offset + 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: offset + 4)
        return buffer.readBytes(length: Int(length))
    }

    func checkedFramebufferSize(width: UInt16, height: UInt16) throws(ClientError) -> Size {
        let size = Size(width: Int(width), height: Int(height))
        guard size.area <= configuration.limits.maximumFramebufferPixels else { throw .framebufferTooLarge(size) }
        return size
    }
}
