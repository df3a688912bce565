import Geometry
import NIOCore
import Pixels
import RFB

/// The rfbproto extension pseudo-rectangles a viewer reads inside a FramebufferUpdate.
extension ClientStateMachine {
    /// Reads the payload of one extension pseudo-rectangle from `input` (just after its header)
    /// and applies it; nil, with `input` in an unspecified state, when not all of it has arrived.
    mutating func readPseudoRectangle(_ header: RectangleHeader, from input: inout ByteBuffer) throws(ClientError) -> [ClientAction]? {
        switch header.encoding {
        case .extendedDesktopSize:
            return try readExtendedDesktopSize(header, from: &input)
        case .cursor:
            return try readCursor(header, from: &input)
        case .xCursor:
            return try readXCursor(header, from: &input)
        case .cursorPosition:
            // rfbproto "PointerPos": the position is the header's x and y; no payload.
            cursorPosition = header.rect.origin
            return [.cursorMoved(header.rect.origin)]
        default:
            // rfbproto "QEMU Extended Key Event" and "ExtendedMouseButtons": an empty rectangle
            // confirms the extension.
            confirmedExtensions.insert(header.encoding)
            return [.extensionConfirmed(header.encoding)]
        }
    }

    /// rfbproto "ExtendedDesktopSize Pseudo-encoding": x is the reason, y the status, the size is
    /// the framebuffer's; U8 number-of-screens, 3 padding, 16 bytes per screen. A failed request
    /// of this viewer's carries undefined fields and changes nothing.
    private mutating func readExtendedDesktopSize(_ header: RectangleHeader, from input: inout ByteBuffer) throws(ClientError) -> [ClientAction]? {
        guard let count = input.getInteger(at: input.readerIndex, as: UInt8.self),
              input.readableBytes >= 4 + Screen.wireLength * Int(count) else { return nil }
        input.moveReaderIndex(forwardBy: 4)
        var screens: [Screen] = []
        for _ in 0..<count { screens.append(input.readScreen()!) }
        let message = ExtendedDesktopSize(reason: .init(rawValue: UInt16(header.rect.x)),
                                          status: .init(rawValue: UInt16(header.rect.y)),
                                          layout: DesktopLayout(size: header.rect.size, screens: screens))
        confirmedExtensions.insert(.extendedDesktopSize)
        if message.reason == .thisClient && message.status != .noError { return [.desktopLayout(message)] }
        let size = try checkedFramebufferSize(width: UInt16(header.rect.width), height: UInt16(header.rect.height))
        layout = message.layout
        guard size != framebuffer.size else { return [.desktopLayout(message)] }
        var resized = PixelBuffer(width: size.width, height: size.height)
        resized.blit(framebuffer, at: .zero)
        framebuffer = resized
        if let (remaining, region) = update { update = (remaining, region.intersection(Rect(size: size))) }
        return [.resized(size), .desktopLayout(message)]
    }

    /// RFC 6143 §7.8.1: the hotspot is the header's x and y; width * height pixels in the
    /// negotiated format, then the bitmask. The size is checked before the data is waited for.
    private mutating func readCursor(_ header: RectangleHeader, from input: inout ByteBuffer) throws(ClientError) -> [ClientAction]? {
        let size = header.rect.size
        guard size.area <= configuration.limits.maximumCursorPixels else { throw .cursorTooLarge(size) }
        let format = pixelFormat
        let reader: WirePixelReader
        do { reader = try WirePixelReader(format: format) } catch { throw .unsupportedPixelFormat(format) }
        let pixelBytes = size.area * reader.bytesPerPixel
        let maskLength = CursorShape.maskLength(for: size)
        guard input.readableBytes >= pixelBytes + maskLength else { return nil }
        var pixels = [UInt32](repeating: 0, count: size.area)
        if size.area > 0 {
            input.withUnsafeReadableBytes { bytes in
                pixels.withUnsafeMutableBufferPointer { out in
                    reader.readRow(from: bytes.baseAddress!, count: size.area, into: out.baseAddress!)
                }
            }
        }
        input.moveReaderIndex(forwardBy: pixelBytes)
        let shape = CursorShape(hotspot: header.rect.origin, size: size, pixels: pixels, mask: input.readBytes(length: maskLength)!)
        cursor = shape
        return [.cursorShape(shape)]
    }

    /// rfbproto "X Cursor Pseudo-encoding": for a non-empty cursor, foreground and background
    /// RGB (U8 each), then bitmap and bitmask, rows padded to bytes.
    private mutating func readXCursor(_ header: RectangleHeader, from input: inout ByteBuffer) throws(ClientError) -> [ClientAction]? {
        let size = header.rect.size
        guard size.area <= configuration.limits.maximumCursorPixels else { throw .cursorTooLarge(size) }
        guard size.area > 0 else {
            cursor = .hidden
            return [.cursorShape(.hidden)]
        }
        let maskLength = CursorShape.maskLength(for: size)
        guard input.readableBytes >= 6 + 2 * maskLength, let colours = input.readBytes(length: 6) else { return nil }
        let foreground = UInt32(colours[0]) << 16 | UInt32(colours[1]) << 8 | UInt32(colours[2])
        let background = UInt32(colours[3]) << 16 | UInt32(colours[4]) << 8 | UInt32(colours[5])
        let bitmap = input.readBytes(length: maskLength)!, mask = input.readBytes(length: maskLength)!
        let shape = XCursorShape(hotspot: header.rect.origin, size: size, foreground: foreground, background: background,
                                 bitmap: bitmap, mask: mask).cursorShape
        cursor = shape
        return [.cursorShape(shape)]
    }
}
