import Geometry
import NIOCore

/// An ExtendedDesktopSize pseudo-rectangle (rfbproto "ExtendedDesktopSize Pseudo-encoding"): the
/// framebuffer size and screen layout, why it is sent, and the result of a viewer's SetDesktopSize.
///
/// On the wire the rectangle header's x is the reason, y the status, width and height the
/// framebuffer size; the payload is U8 number-of-screens, 3 padding bytes and the SCREENs.
public struct ExtendedDesktopSize: Hashable, Sendable {
    /// The header's x-position.
    public struct Reason: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// Changed on the server (also the answer to a non-incremental update request).
        public static let server = Reason(rawValue: 0)
        /// The receiving viewer asked for the change; `status` says whether it happened.
        public static let thisClient = Reason(rawValue: 1)
        /// Another viewer asked for the change and the server made it.
        public static let otherClient = Reason(rawValue: 2)
    }

    /// The header's y-position: the result of a viewer's request (0 otherwise).
    public struct Status: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let noError = Status(rawValue: 0)
        public static let prohibited = Status(rawValue: 1)
        public static let outOfResources = Status(rawValue: 2)
        public static let invalidScreenLayout = Status(rawValue: 3)
        /// The request was passed on (to a guest, say) and may complete later.
        public static let forwarded = Status(rawValue: 4)
    }

    public var reason: Reason
    public var status: Status
    public var layout: DesktopLayout

    public init(reason: Reason, status: Status = .noError, layout: DesktopLayout) {
        self.reason = reason; self.status = status; self.layout = layout
    }

    /// Bytes after the rectangle header: 4 + 16 per screen.
    public var payloadLength: Int { 4 + Screen.wireLength * layout.screens.count }
}

extension ByteBuffer {
    /// Writes an ExtendedDesktopSize pseudo-rectangle (header and payload) for inclusion in a
    /// FramebufferUpdate. rfbproto: an update holding one must not change framebuffer pixels,
    /// before or after it. At most 255 screens are written.
    public mutating func writeExtendedDesktopSize(_ message: ExtendedDesktopSize) {
        let screens = message.layout.screens.prefix(255)
        writeInteger(message.reason.rawValue)
        writeInteger(message.status.rawValue)
        writeInteger(UInt16(clamping: message.layout.size.width))
        writeInteger(UInt16(clamping: message.layout.size.height))
        writeInteger(Encoding.extendedDesktopSize.rawValue)
        writeInteger(UInt8(screens.count))
        writeRepeatingByte(0, count: 3)
        for screen in screens { writeScreen(screen) }
    }

    /// Writes a whole FramebufferUpdate holding only `message`: the way to answer a SetDesktopSize
    /// "as soon as possible" (rfbproto "SetDesktopSize") between two pixel updates.
    public mutating func writeExtendedDesktopSizeUpdate(_ message: ExtendedDesktopSize) {
        writeFramebufferUpdateHeader(count: 1)
        writeExtendedDesktopSize(message)
    }
}
