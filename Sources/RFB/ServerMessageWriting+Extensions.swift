import Geometry
import NIOCore

extension ServerMessageType {
    /// rfbproto "EndOfContinuousUpdates".
    public static let endOfContinuousUpdates: UInt8 = 150
    /// rfbproto "ServerFence".
    public static let fence: UInt8 = Fence.messageType
}

extension ByteBuffer {
    /// Writes EndOfContinuousUpdates (rfbproto "EndOfContinuousUpdates"): the type byte alone.
    /// Sent the first time a viewer lists the ContinuousUpdates pseudo-encoding (so it knows the
    /// server supports the extension) and whenever the viewer disables continuous updates, after
    /// the last update those produced.
    public mutating func writeEndOfContinuousUpdates() {
        writeInteger(ServerMessageType.endOfContinuousUpdates)
    }

    /// Writes the empty pseudo-rectangle by which a server confirms QEMU Extended Key Events
    /// (rfbproto "QEMU Extended Key Event Pseudo-encoding"), for inclusion in a FramebufferUpdate.
    public mutating func writeQEMUExtendedKeyEventConfirmation() {
        writeRectangleHeader(RectangleHeader(rect: .zero, encoding: .qemuExtendedKeyEvent))
    }

    /// Writes the empty pseudo-rectangle by which a server confirms ExtendedMouseButtons
    /// (rfbproto "ExtendedMouseButtons Pseudo-encoding"); from then on the viewer may send
    /// seven-byte PointerEvents.
    public mutating func writeExtendedMouseButtonsConfirmation() {
        writeRectangleHeader(RectangleHeader(rect: .zero, encoding: .extendedMouseButtons))
    }

    /// Writes a PointerPos pseudo-rectangle (rfbproto "PointerPos", -232): the header's x and y
    /// are the pointer position, there is no payload.
    public mutating func writeCursorPosition(_ position: Point) {
        writeRectangleHeader(RectangleHeader(rect: Rect(origin: position, size: Size(width: 0, height: 0)),
                                             encoding: .cursorPosition))
    }
}
