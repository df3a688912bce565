import Geometry
import NIOCore

/// Bounds on what one viewer message may make the server allocate.
public struct ClientMessageLimits: Hashable, Sendable {
    /// Most SetEncodings entries accepted. Real viewers send a few dozen; the field allows 65535.
    public var maximumEncodingCount: Int
    /// Most ClientCutText bytes accepted; the field allows 4 GiB.
    public var maximumCutTextLength: Int

    public init(maximumEncodingCount: Int = 1024, maximumCutTextLength: Int = 1 << 20) {
        self.maximumEncodingCount = maximumEncodingCount
        self.maximumCutTextLength = maximumCutTextLength
    }
}

/// Why a viewer's byte stream could not be decoded. Each is fatal for that viewer: the stream has
/// no message boundaries to resynchronise on.
public enum ClientMessageDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A message type that RFC 6143 §7.5 does not define, or whose extension was never offered.
    case unknownMessageType(UInt8)
    /// SetEncodings declared more entries than `ClientMessageLimits.maximumEncodingCount`.
    case tooManyEncodings(count: Int, limit: Int)
    /// ClientCutText declared more bytes than `ClientMessageLimits.maximumCutTextLength`.
    case cutTextTooLong(length: UInt32, limit: Int)

    public var description: String {
        switch self {
        case .unknownMessageType(let type): return "unknown client message type \(type)"
        case .tooManyEncodings(let count, let limit): return "SetEncodings lists \(count) encodings (limit \(limit))"
        case .cutTextTooLong(let length, let limit): return "ClientCutText declares \(length) bytes (limit \(limit))"
        }
    }
}

/// Splits a viewer's byte stream into `ClientMessage`s (RFC 6143 §7.5).
///
/// Bytes may arrive in any split: `append` them as they come and call `next()` until it returns
/// nil. A message is taken out only once all of it is buffered. Length fields are checked against
/// `limits` as soon as the fixed part of a message is there, before waiting for (or allocating) the
/// variable part, so a viewer that declares 4 GiB of clipboard text is refused after eight bytes.
/// After an error the decoder stays failed and throws the same error again.
public struct ClientMessageDecoder {
    public let limits: ClientMessageLimits
    private var buffer = ByteBuffer()
    private var failure: ClientMessageDecodingError?

    public init(limits: ClientMessageLimits = ClientMessageLimits()) { self.limits = limits }

    /// Bytes received but not yet decoded into a message.
    public var bufferedByteCount: Int { buffer.readableBytes }

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
            guard let incremental = view.readInteger(as: UInt8.self),
                  let x = view.readInteger(as: UInt16.self), let y = view.readInteger(as: UInt16.self),
                  let width = view.readInteger(as: UInt16.self), let height = view.readInteger(as: UInt16.self)
            else { return nil }
            message = .framebufferUpdateRequest(incremental: incremental != 0,
                                                rect: Rect(x: Int(x), y: Int(y), width: Int(width), height: Int(height)))
        case ClientMessage.MessageType.keyEvent:
            // RFC 6143 §7.5.4: U8 down-flag, 2 padding, U32 keysym.
            guard view.readableBytes >= 7, let down = view.readInteger(as: UInt8.self) else { return nil }
            view.moveReaderIndex(forwardBy: 2)
            message = .keyEvent(down: down != 0, keysym: view.readInteger(as: UInt32.self)!)
        case ClientMessage.MessageType.pointerEvent:
            // RFC 6143 §7.5.5: U8 button-mask, U16 x, U16 y.
            guard let mask = view.readInteger(as: UInt8.self),
                  let x = view.readInteger(as: UInt16.self), let y = view.readInteger(as: UInt16.self)
            else { return nil }
            message = .pointerEvent(buttonMask: mask, x: Int(x), y: Int(y))
        case ClientMessage.MessageType.clientCutText:
            // RFC 6143 §7.5.6: 3 padding, U32 length, text.
            guard let length = view.getInteger(at: view.readerIndex + 3, as: UInt32.self) else { return nil }
            guard UInt64(length) <= UInt64(max(0, limits.maximumCutTextLength)) else {
                throw .cutTextTooLong(length: length, limit: limits.maximumCutTextLength)
            }
            guard view.readableBytes >= 7 + Int(length) else { return nil }
            view.moveReaderIndex(forwardBy: 7)
            message = .clientCutText(view.readBytes(length: Int(length))!)
        default:
            throw .unknownMessageType(type)
        }
        guard let message else { return nil }
        buffer = view
        return message
    }
}
