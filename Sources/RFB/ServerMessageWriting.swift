import Geometry
import NIOCore
import Pixels

/// Message-type bytes of server-to-viewer messages (RFC 6143 §7.6).
public enum ServerMessageType {
    public static let framebufferUpdate: UInt8 = 0
    public static let setColourMapEntries: UInt8 = 1
    public static let bell: UInt8 = 2
    public static let serverCutText: UInt8 = 3
}

/// Where a FramebufferUpdate's rectangle count sits in a buffer, so that it can be filled in once
/// the encoders have said how many rectangles they wrote.
public struct FramebufferUpdateCountSlot: Hashable, Sendable {
    /// Writer index of the U16 count field.
    public let index: Int
}

extension ByteBuffer {
    /// Writes ServerInit (RFC 6143 §7.3.2): U16 width, U16 height, PIXEL_FORMAT, U32 name length and
    /// the name. The spec leaves the name's encoding open; Porthole sends UTF-8, as TigerVNC does and
    /// as rfbproto prescribes for DesktopName.
    public mutating func writeServerInit(size: Size, format: PixelFormat, name: String) {
        writeInteger(UInt16(clamping: size.width))
        writeInteger(UInt16(clamping: size.height))
        writePixelFormat(format)
        let nameBytes = Array(name.utf8)
        writeInteger(UInt32(nameBytes.count))
        writeBytes(nameBytes)
    }

    /// Writes a FramebufferUpdate header (RFC 6143 §7.6.1): type 0, padding, U16 rectangle count.
    public mutating func writeFramebufferUpdateHeader(count: UInt16) {
        writeInteger(ServerMessageType.framebufferUpdate)
        writeInteger(UInt8(0))
        writeInteger(count)
    }

    /// Writes a FramebufferUpdate header whose count is not known yet; fill it in with
    /// `patchFramebufferUpdateCount(_:count:)` once the rectangles are written.
    public mutating func reserveFramebufferUpdateHeader() -> FramebufferUpdateCountSlot {
        writeInteger(ServerMessageType.framebufferUpdate)
        writeInteger(UInt8(0))
        let slot = FramebufferUpdateCountSlot(index: writerIndex)
        writeInteger(UInt16(0))
        return slot
    }

    /// Fills in the rectangle count of a header written by `reserveFramebufferUpdateHeader()`.
    /// The field is a U16: an update with more rectangles must be split, or end with LastRect
    /// (count 0xFFFF, see `writeLastRect()`), which the caller decides.
    public mutating func patchFramebufferUpdateCount(_ slot: FramebufferUpdateCountSlot, count: Int) {
        precondition((0...Int(UInt16.max)).contains(count), "a FramebufferUpdate holds at most 65535 rectangles")
        setInteger(UInt16(count), at: slot.index)
    }

    /// Writes Bell (RFC 6143 §7.6.3).
    public mutating func writeBell() { writeInteger(ServerMessageType.bell) }

    /// Writes ServerCutText (RFC 6143 §7.6.4): type 3, 3 padding, U32 length, ISO 8859-1 text.
    public mutating func writeServerCutText(_ latin1: [UInt8]) {
        writeInteger(ServerMessageType.serverCutText)
        writeRepeatingByte(0, count: 3)
        writeInteger(UInt32(truncatingIfNeeded: latin1.count))
        writeBytes(latin1)
    }

    /// Writes SetColourMapEntries (RFC 6143 §7.6.2): type 1, padding, U16 first colour, U16 count,
    /// then U16 red, green, blue per entry. The server sends `ColourMapStandIn.entries` to a viewer
    /// that asks for a colour map.
    public mutating func writeSetColourMapEntries(firstColour: UInt16, colours: [(red: UInt16, green: UInt16, blue: UInt16)]) {
        writeInteger(ServerMessageType.setColourMapEntries)
        writeInteger(UInt8(0))
        writeInteger(firstColour)
        writeInteger(UInt16(truncatingIfNeeded: colours.count))
        for colour in colours.prefix(Int(UInt16.max)) {
            writeInteger(colour.red); writeInteger(colour.green); writeInteger(colour.blue)
        }
    }

    /// Writes a DesktopSize pseudo-rectangle (rfbproto §7.8, "DesktopSize Pseudo-encoding"): the framebuffer is now `size`; the
    /// header carries the size, there is no payload.
    public mutating func writeDesktopSize(_ size: Size) {
        writeRectangleHeader(RectangleHeader(rect: Rect(size: size), encoding: .desktopSize))
    }

    /// Writes a LastRect pseudo-rectangle (rfbproto §7.8, "LastRect Pseudo-encoding"): the update ends here whatever its
    /// header's count said (servers that do not know the count up front send 0xFFFF).
    public mutating func writeLastRect() {
        writeRectangleHeader(RectangleHeader(rect: .zero, encoding: .lastRect))
    }

    /// Writes a DesktopName pseudo-rectangle (rfbproto §7.8, "DesktopName Pseudo-encoding"): zero rect, U32 length, UTF-8 name.
    public mutating func writeDesktopName(_ name: String) {
        writeRectangleHeader(RectangleHeader(rect: .zero, encoding: .desktopName))
        let bytes = Array(name.utf8)
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }
}
