import Geometry
import NIOCore
import Pixels
import RFB

/// The client's reading of server messages in the normal phase (RFC 6143 §7.6).
extension ClientStateMachine {
    mutating func stepNormal() throws(ClientError) -> [ClientAction]? {
        if update != nil { return try stepUpdate() }
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        switch type {
        case ServerMessageType.framebufferUpdate:
            // RFC 6143 §7.6.1: type, padding, U16 number-of-rectangles.
            guard buffer.readableBytes >= 4 else { return nil }
            let count = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self)!
            buffer.moveReaderIndex(forwardBy: 4)
            update = (Int(count), Region())
            return []
        case ServerMessageType.setColourMapEntries:
            // RFC 6143 §7.6.2: type, padding, U16 first-colour, U16 count, 6 bytes per colour.
            // Porthole's client only asks for true colour, so the entries are read and dropped.
            guard buffer.readableBytes >= 6 else { return nil }
            let count = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt16.self)!
            guard buffer.readableBytes >= 6 + 6 * Int(count) else { return nil }
            buffer.moveReaderIndex(forwardBy: 6 + 6 * Int(count))
            return []
        case ServerMessageType.bell:
            buffer.moveReaderIndex(forwardBy: 1)
            return [.bell]
        case ServerMessageType.serverCutText:
            // rfbproto "Extended Clipboard Pseudo-Encoding": once listed, a negative S32 length
            // announces an extended message.
            if announcedEncodings.contains(.extendedClipboard),
               let length = buffer.getInteger(at: buffer.readerIndex + 4, as: Int32.self), length < 0 {
                return try stepExtendedCutText(length: -Int(length))
            }
            // RFC 6143 §7.6.4: type, 3 padding, U32 length, ISO 8859-1 text.
            guard let text = try readLengthPrefixed(after: 4, field: "ServerCutText",
                                                    limit: configuration.limits.maximumCutTextLength) else { return nil }
            return [.cutText(text)]
        case ServerMessageType.endOfContinuousUpdates:
            // rfbproto "EndOfContinuousUpdates": the type byte alone.
            buffer.moveReaderIndex(forwardBy: 1)
            confirmedExtensions.insert(.continuousUpdates)
            return [.endOfContinuousUpdates]
        case ServerMessageType.fence:
            return try stepFence()
        default:
            throw .unknownMessageType(type)
        }
    }

    /// rfbproto "ServerFence": 3 padding, U32 flags, U8 length (at most 64), payload. Requests are
    /// answered at once (the machine handles messages in order, which honours BlockBefore and
    /// BlockAfter), or after the next message for SyncNext.
    private mutating func stepFence() throws(ClientError) -> [ClientAction]? {
        guard buffer.readableBytes >= Fence.headerLength else { return nil }
        let length = Int(buffer.getInteger(at: buffer.readerIndex + 8, as: UInt8.self)!)
        guard length <= Fence.maximumPayloadLength else { throw .fencePayloadTooLong(length) }
        guard buffer.readableBytes >= Fence.headerLength + length else { return nil }
        let flags = FenceFlags(rawValue: buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self)!)
        buffer.moveReaderIndex(forwardBy: Fence.headerLength)
        let payload = buffer.readBytes(length: length)!
        confirmedExtensions.insert(.fence)
        guard flags.contains(.request) else { return [.fence(flags: flags, payload: payload)] }
        guard flags.contains(.syncNext) else {
            return [.send(Self.message(.fence(flags: flags.response, payload: payload)))]
        }
        // A second SyncNext fence is itself the message following the first one.
        var actions: [ClientAction] = []
        if let earlier = heldFence { actions.append(.send(Self.message(.fence(flags: earlier.response, payload: earlier.payload)))) }
        heldFence = (flags.response, payload, false)
        return actions
    }

    /// An extended ServerCutText of `length` bytes after the S32 length, checked against the
    /// limit before anything is waited for; a provide inflates into at most the same limit.
    private mutating func stepExtendedCutText(length: Int) throws(ClientError) -> [ClientAction]? {
        let limit = configuration.limits.maximumCutTextLength
        guard length <= limit else { throw .lengthTooLarge(field: "extended ServerCutText", length: UInt64(length), limit: limit) }
        guard buffer.readableBytes >= 8 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 8)
        let payload = buffer.readBytes(length: length)!
        let message: ExtendedClipboardMessage
        do {
            message = try ExtendedClipboard.decode(payload, inflateLimit: limit)
        } catch {
            throw .malformedClipboard(error)
        }
        if case .caps = message { confirmedExtensions.insert(.extendedClipboard) }
        return [.clipboard(message)]
    }

    /// Reads one rectangle of the current FramebufferUpdate, or ends the update.
    private mutating func stepUpdate() throws(ClientError) -> [ClientAction]? {
        guard let (remaining, region) = update else { return nil }
        if remaining == 0 {
            update = nil
            return [.framebufferUpdated(region)]
        }
        var attempt = buffer
        guard let header = attempt.readRectangleHeader() else { return nil }
        switch header.encoding {
        case .lastRect:
            // rfbproto §7.8, LastRect: the update ends here whatever its count said.
            buffer = attempt
            update = nil
            return [.framebufferUpdated(region)]
        case .desktopSize:
            // RFC 6143 §7.8.2: the new size is the rectangle's width and height.
            let size = try checkedFramebufferSize(width: UInt16(header.rect.width), height: UInt16(header.rect.height))
            buffer = attempt
            var resized = PixelBuffer(width: size.width, height: size.height)
            resized.blit(framebuffer, at: .zero)
            framebuffer = resized
            update = (remaining - 1, region.intersection(Rect(size: size)))
            return [.resized(size)]
        case .desktopName:
            // rfbproto §7.8, DesktopName: U32 length, UTF-8 name after the header.
            guard let bytes = try readLengthPrefixed(after: RectangleHeader.wireLength, field: "desktop name",
                                                     limit: configuration.limits.maximumNameLength) else { return nil }
            name = String(decoding: bytes, as: UTF8.self)
            update = (remaining - 1, region)
            return [.nameChanged(name)]
        case .extendedDesktopSize, .cursor, .xCursor, .cursorPosition, .qemuExtendedKeyEvent, .extendedMouseButtons:
            guard let actions = try readPseudoRectangle(header, from: &attempt) else { return nil }
            buffer = attempt
            let remainingRegion = update?.region ?? region
            update = (remaining - 1, remainingRegion)
            return actions
        default:
            guard decoders[header.encoding] != nil else { throw .unknownEncoding(header.encoding) }
            guard framebuffer.bounds.contains(header.rect) else {
                throw .rectangleOutsideFramebuffer(header.rect, framebuffer: framebuffer.size)
            }
            let format = pixelFormat
            do { try format.validate() } catch { throw .unsupportedPixelFormat(format) }
            do {
                try decoders[header.encoding]!.decode(header.rect, from: &attempt, format: format, into: &framebuffer)
            } catch {
                switch error {
                case .needMoreData: return nil
                case .malformed(let why): throw .malformedRectangle(header.encoding, why)
                }
            }
            buffer = attempt
            update = (remaining - 1, region.union(header.rect))
            return []
        }
    }
}
