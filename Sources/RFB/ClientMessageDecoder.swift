import Geometry
import NIOCore

/// Splits a viewer's byte stream into `ClientMessage`s (RFC 6143 §7.5 and rfbproto extensions).
///
/// Bytes may arrive in any split: `append` them as they come and call `next()` until it returns
/// nil. A message is taken out only once all of it is buffered. Length fields are checked against
/// `limits` as soon as the fixed part of a message is there, before waiting for (or allocating) the
/// variable part, so a viewer that declares 4 GiB of clipboard text is refused after eight bytes.
/// After an error the decoder stays failed and throws the same error again.
///
/// Two extensions change the layout of standard messages once negotiated, so the session turns
/// them on when the viewer lists their pseudo-encodings: `extendedMouseButtons` (PointerEvents
/// with bit 7 of the mask set carry an extra byte) and `extendedClipboard` (ClientCutText with a
/// negative length is an extended clipboard message).
public struct ClientMessageDecoder {
    public let limits: ClientMessageLimits
    /// rfbproto "ExtendedMouseButtons Pseudo-encoding" is in effect.
    public var extendedMouseButtons = false
    /// rfbproto "Extended Clipboard Pseudo-Encoding" is in effect.
    public var extendedClipboard = false
    private var buffer = ByteBuffer()
    private var failure: ClientMessageDecodingError?

    public init(limits: ClientMessageLimits = ClientMessageLimits()) { self.limits = limits }

    /// Bytes received but not yet decoded into a message.
    public var bufferedByteCount: Int { buffer.readableBytes }

    /// The start of a message still waiting for its remaining bytes, for the log when a viewer
    /// goes away in the middle of one: its type byte and how many of its bytes arrived.
    public var incompleteMessage: (type: UInt8, bytes: Int)? {
        guard failure == nil, let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        return (type, buffer.readableBytes)
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.writeBytes(bytes) }

    /// The next complete message, or nil when more bytes are needed.
    public mutating func next() throws(ClientMessageDecodingError) -> ClientMessage? {
        if let failure { throw failure }
        do {
            guard let message = try decodeOne() else { return nil }
            if buffer.readerIndex > 4096 { buffer.discardReadBytes() }
            return message
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeOne() throws(ClientMessageDecodingError) -> ClientMessage? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        var view = buffer
        view.moveReaderIndex(forwardBy: 1)
        let message: ClientMessage?
        switch type {
        case ClientMessage.MessageType.setPixelFormat:
            // RFC 6143 §7.5.1: 3 padding bytes, PIXEL_FORMAT.
            guard view.readableBytes >= 3 + ByteBuffer.pixelFormatWireLength else { return nil }
            view.moveReaderIndex(forwardBy: 3)
            message = view.readPixelFormat().map { .setPixelFormat($0) }
        case ClientMessage.MessageType.setEncodings:
            // RFC 6143 §7.5.2: padding, U16 count, S32 per encoding.
            guard view.readableBytes >= 3, let count = view.getInteger(at: view.readerIndex + 1, as: UInt16.self) else { return nil }
            guard Int(count) <= limits.maximumEncodingCount else {
                throw .tooManyEncodings(count: Int(count), limit: limits.maximumEncodingCount)
            }
            guard view.readableBytes >= 3 + 4 * Int(count) else { return nil }
            view.moveReaderIndex(forwardBy: 3)
            var encodings: [Encoding] = []
            encodings.reserveCapacity(Int(count))
            for _ in 0..<count { encodings.append(Encoding(view.readInteger(as: Int32.self)!)) }
            message = .setEncodings(encodings)
        case ClientMessage.MessageType.framebufferUpdateRequest:
            // RFC 6143 §7.5.3: U8 incremental, U16 x, y, width, height.
            guard view.readableBytes >= 9, let incremental = view.readInteger(as: UInt8.self) else { return nil }
            message = .framebufferUpdateRequest(incremental: incremental != 0, rect: view.readWireRect()!)
        case ClientMessage.MessageType.keyEvent:
            // RFC 6143 §7.5.4: U8 down-flag, 2 padding, U32 keysym.
            guard view.readableBytes >= 7, let down = view.readInteger(as: UInt8.self) else { return nil }
            view.moveReaderIndex(forwardBy: 2)
            message = .keyEvent(down: down != 0, keysym: view.readInteger(as: UInt32.self)!)
        case ClientMessage.MessageType.pointerEvent:
            message = decodePointerEvent(&view)
        case ClientMessage.MessageType.clientCutText:
            message = try decodeCutText(&view)
        case ClientMessage.MessageType.enableContinuousUpdates:
            // rfbproto "EnableContinuousUpdates": U8 enable-flag, U16 x, y, width, height.
            guard view.readableBytes >= 9, let enable = view.readInteger(as: UInt8.self) else { return nil }
            message = .enableContinuousUpdates(enable: enable != 0, rect: view.readWireRect()!)
        case ClientMessage.MessageType.fence:
            // rfbproto "ClientFence": 3 padding, U32 flags, U8 length (at most 64), payload.
            guard view.readableBytes >= Fence.headerLength - 1,
                  let length = view.getInteger(at: view.readerIndex + 7, as: UInt8.self) else { return nil }
            guard Int(length) <= Fence.maximumPayloadLength else { throw .fencePayloadTooLong(length: Int(length)) }
            guard view.readableBytes >= Fence.headerLength - 1 + Int(length) else { return nil }
            view.moveReaderIndex(forwardBy: 3)
            let flags = FenceFlags(rawValue: view.readInteger(as: UInt32.self)!)
            view.moveReaderIndex(forwardBy: 1)
            message = .fence(flags: flags, payload: view.readBytes(length: Int(length))!)
        case ClientMessage.MessageType.setDesktopSize:
            message = try decodeSetDesktopSize(&view)
        case ClientMessage.MessageType.qemu:
            // rfbproto "QEMU Client Message": U8 submessage-type, then its data.
            guard let submessage = view.getInteger(at: view.readerIndex, as: UInt8.self) else { return nil }
            guard submessage == ClientMessage.QEMUSubmessage.extendedKeyEvent else { throw .unknownQEMUSubmessage(submessage) }
            // rfbproto "QEMU Extended Key Event Message": U16 down-flag, U32 keysym, U32 keycode.
            guard view.readableBytes >= 11 else { return nil }
            view.moveReaderIndex(forwardBy: 1)
            let down = view.readInteger(as: UInt16.self)!
            message = .qemuExtendedKeyEvent(down: down != 0, keysym: view.readInteger(as: UInt32.self)!,
                                            keycode: view.readInteger(as: UInt32.self)!)
        default:
            throw .unknownMessageType(type)
        }
        guard let message else { return nil }
        buffer = view
        return message
    }

    /// RFC 6143 §7.5.5: U8 button-mask, U16 x, U16 y; with ExtendedMouseButtons in effect and bit 7
    /// of the mask set, one more U8 holding buttons 8 and up (rfbproto "ExtendedMouseButtons
    /// Pseudo-encoding").
    private func decodePointerEvent(_ view: inout ByteBuffer) -> ClientMessage? {
        guard let mask = view.getInteger(at: view.readerIndex, as: UInt8.self) else { return nil }
        let extended = extendedMouseButtons && mask & 0x80 != 0
        guard view.readableBytes >= (extended ? 6 : 5) else { return nil }
        view.moveReaderIndex(forwardBy: 1)
        let x = Int(view.readInteger(as: UInt16.self)!), y = Int(view.readInteger(as: UInt16.self)!)
        guard extended else { return .pointerEvent(buttonMask: mask, x: x, y: y) }
        let high = UInt16(view.readInteger(as: UInt8.self)!)
        return .extendedPointerEvent(buttonMask: UInt16(mask & 0x7f) | high << 7, x: x, y: y)
    }

    /// RFC 6143 §7.5.6: 3 padding, U32 length, text; with the Extended Clipboard in effect the
    /// length is an S32 and a negative one announces -length bytes of extended message.
    private func decodeCutText(_ view: inout ByteBuffer) throws(ClientMessageDecodingError) -> ClientMessage? {
        guard let length = view.getInteger(at: view.readerIndex + 3, as: UInt32.self) else { return nil }
        let signed = Int32(bitPattern: length)
        if extendedClipboard && signed < 0 {
            let count = -Int(signed)
            guard count <= limits.maximumCutTextLength else {
                throw .extendedCutTextTooLong(length: count, limit: limits.maximumCutTextLength)
            }
            guard view.readableBytes >= 7 + count else { return nil }
            view.moveReaderIndex(forwardBy: 7)
            let payload = view.readBytes(length: count)!
            do {
                return .extendedClientCutText(try ExtendedClipboard.decode(payload, inflateLimit: limits.maximumCutTextLength))
            } catch {
                throw .malformedExtendedClipboard(error)
            }
        }
        guard UInt64(length) <= UInt64(max(0, limits.maximumCutTextLength)) else {
            throw .cutTextTooLong(length: length, limit: limits.maximumCutTextLength)
        }
        guard view.readableBytes >= 7 + Int(length) else { return nil }
        view.moveReaderIndex(forwardBy: 7)
        return .clientCutText(view.readBytes(length: Int(length))!)
    }

    /// rfbproto "SetDesktopSize": padding, U16 width, U16 height, U8 number-of-screens, padding,
    /// then 16 bytes per SCREEN. The count is checked before the screens are waited for.
    private func decodeSetDesktopSize(_ view: inout ByteBuffer) throws(ClientMessageDecodingError) -> ClientMessage? {
        guard view.readableBytes >= 7, let count = view.getInteger(at: view.readerIndex + 5, as: UInt8.self) else { return nil }
        guard Int(count) <= limits.maximumScreenCount else {
            throw .tooManyScreens(count: Int(count), limit: limits.maximumScreenCount)
        }
        guard view.readableBytes >= 7 + Screen.wireLength * Int(count) else { return nil }
        view.moveReaderIndex(forwardBy: 1)
        let width = Int(view.readInteger(as: UInt16.self)!), height = Int(view.readInteger(as: UInt16.self)!)
        view.moveReaderIndex(forwardBy: 2)
        var screens: [Screen] = []
        screens.reserveCapacity(Int(count))
        for _ in 0..<count { screens.append(view.readScreen()!) }
        return .setDesktopSize(DesktopLayout(size: Size(width: width, height: height), screens: screens))
    }
}

extension ByteBuffer {
    /// Reads U16 x, y, width, height, or returns nil without moving the reader index when fewer
    /// than eight bytes are readable.
    mutating func readWireRect() -> Rect? {
        guard readableBytes >= 8,
              let x = readInteger(as: UInt16.self), let y = readInteger(as: UInt16.self),
              let width = readInteger(as: UInt16.self), let height = readInteger(as: UInt16.self)
        else { return nil }
        return Rect(x: Int(x), y: Int(y), width: Int(width), height: Int(height))
    }
}
