import NIOCore

/// Everything the server sends to producers and consumers (docs/protocol.md §7).
///
/// Replies echo the request id of the request they answer; events carry request id 0. The id is
/// not part of these values: see `DecodedDisplayMessage`.
public enum ServerToClientMessage: DisplayWireMessage {
    /// §7.1: the handshake succeeded.
    case welcome(WelcomeMessage)
    /// §7.2: a request failed, or (code 1) the connection is about to be closed.
    case error(ErrorReport)
    /// §7.3: a request without a reply of its own succeeded.
    case done
    /// §7.4
    case outputCreated(OutputCreatedReply)
    /// §7.5
    case planeCreated(planeID: UInt32)
    /// §7.6
    case framebufferCreated(framebufferID: UInt32)
    /// §7.7: the commit is valid; unless test-only, it is pending for the next frame tick.
    case commitAccepted
    /// §7.8: the commit is invalid and changed nothing.
    case commitRejected(ErrorReport)
    /// §7.9: a commit reached the screen.
    case pageFlip(PageFlipEvent)
    /// §7.10: the server no longer reads the framebuffer; the producer may write it again.
    case release(framebufferID: UInt32)
    /// §7.11: viewers asked for these sizes and positions of the producer's outputs.
    case layoutRequest([OutputLayoutEntry])
    /// §7.12: key input for an output the producer owns.
    case keyEvent(KeyInput)
    /// §7.13: pointer input for an output the producer owns.
    case pointerEvent(PointerInput)
    /// §7.14: clipboard text from a viewer (to producers) or a producer (to consumers).
    case clipboardText(outputID: UInt32, text: String)
    /// §7.15: the output is gone.
    case outputRemoved(outputID: UInt32)
    /// §7.16: the reply to ListOutputs.
    case outputs([OutputListing])
    /// §7.17: the reply to Subscribe.
    case subscribed(outputID: UInt32)
    /// §7.18: carries one fd per buffer.
    case scanoutBuffers(ScanoutBuffersEvent)
    /// §7.19
    case frameReady(FrameReadyEvent)
    /// §7.20: carries 1 fd when the pixels are in a memfd.
    case cursorImage(CursorImageEvent)

    public static func isKnownType(_ type: DisplayMessageType) -> Bool { DisplayMessageType.serverToClient.contains(type) }

    public var messageType: DisplayMessageType {
        switch self {
        case .welcome: return .welcome
        case .error: return .error
        case .done: return .done
        case .outputCreated: return .outputCreated
        case .planeCreated: return .planeCreated
        case .framebufferCreated: return .framebufferCreated
        case .commitAccepted: return .commitAccepted
        case .commitRejected: return .commitRejected
        case .pageFlip: return .pageFlip
        case .release: return .release
        case .layoutRequest: return .layoutRequest
        case .keyEvent: return .keyEvent
        case .pointerEvent: return .pointerEvent
        case .clipboardText: return .clipboardText
        case .outputRemoved: return .outputRemoved
        case .outputs: return .outputs
        case .subscribed: return .subscribed
        case .scanoutBuffers: return .scanoutBuffers
        case .frameReady: return .frameReady
        case .cursorImage: return .cursorImage
        }
    }

    public var fds: [Int32] {
        switch self {
        case .scanoutBuffers(let event): return event.fds
        case .cursorImage(let event): return event.fds
        default: return []
        }
    }

    public static func decode(type: DisplayMessageType, body: ByteBuffer, fds: [Int32],
                              limits: DisplayProtocolLimits) throws(DisplayProtocolDecodingError.Kind) -> ServerToClientMessage {
        var reader = WireReader(body: body, type: type, limits: limits)
        let message: ServerToClientMessage
        switch type {
        case .scanoutBuffers: message = .scanoutBuffers(try ScanoutBuffersEvent(from: &reader, fds: fds))
        case .cursorImage: message = .cursorImage(try CursorImageEvent(from: &reader, fds: fds))
        default:
            try expectFDs(fds, 0, type: type)
            message = try decodeWithoutFDs(type: type, reader: &reader)
        }
        try reader.finish()
        return message
    }

    private static func decodeWithoutFDs(type: DisplayMessageType, reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) -> ServerToClientMessage {
        switch type {
        case .welcome: return .welcome(try WelcomeMessage(from: &reader))
        case .error: return .error(try ErrorReport(from: &reader))
        case .done: return .done
        case .outputCreated: return .outputCreated(try OutputCreatedReply(from: &reader))
        case .planeCreated: return .planeCreated(planeID: try reader.readU32())
        case .framebufferCreated: return .framebufferCreated(framebufferID: try reader.readU32())
        case .commitAccepted: return .commitAccepted
        case .commitRejected: return .commitRejected(try ErrorReport(from: &reader))
        case .pageFlip: return .pageFlip(try PageFlipEvent(from: &reader))
        case .release: return .release(framebufferID: try reader.readU32())
        case .layoutRequest: return .layoutRequest(try OutputLayoutEntry.readList(from: &reader))
        case .keyEvent: return .keyEvent(try KeyInput(from: &reader))
        case .pointerEvent: return .pointerEvent(try PointerInput(from: &reader))
        case .clipboardText:
            let outputID = try reader.readU32()
            let length = Int(try reader.readU32())
            return .clipboardText(outputID: outputID, text: try reader.readString(length: length, field: "ClipboardText text",
                                                                                  limit: reader.limits.maximumMessageSize))
        case .outputRemoved: return .outputRemoved(outputID: try reader.readU32())
        case .outputs:
            let count = Int(try reader.readU16())
            try reader.checkCount(count, field: "Outputs entry count", limit: reader.limits.maximumListEntries)
            try reader.skipReserved(2)
            var listings: [OutputListing] = []
            listings.reserveCapacity(count)
            for _ in 0..<count { listings.append(try OutputListing(from: &reader)) }
            return .outputs(listings)
        case .subscribed: return .subscribed(outputID: try reader.readU32())
        case .frameReady: return .frameReady(try FrameReadyEvent(from: &reader))
        default: throw .unknownMessageType(type)
        }
    }

    public func writeBody(into buffer: inout ByteBuffer, limits: DisplayProtocolLimits) throws(DisplayProtocolEncodingError) {
        try Self.withWriter(&buffer, type: messageType, limits: limits) { (writer: inout WireWriter) throws(DisplayProtocolEncodingError) in
            switch self {
            case .welcome(let welcome): welcome.write(to: &writer)
            case .error(let report), .commitRejected(let report): try report.write(to: &writer)
            case .done, .commitAccepted: break
            case .outputCreated(let reply): reply.write(to: &writer)
            case .planeCreated(let id), .framebufferCreated(let id), .release(let id), .outputRemoved(let id), .subscribed(let id):
                writer.write(id)
            case .pageFlip(let event): event.write(to: &writer)
            case .layoutRequest(let entries): try OutputLayoutEntry.writeList(entries, to: &writer)
            case .keyEvent(let key): key.write(to: &writer)
            case .pointerEvent(let pointer): pointer.write(to: &writer)
            case .clipboardText(let outputID, let text):
                let bytes = try writer.utf8(text, field: "text", limit: limits.maximumMessageSize)
                writer.write(outputID)
                writer.write(UInt32(bytes.count))
                writer.writeBytes(bytes)
            case .outputs(let listings):
                try writer.checkCount(listings.count, field: "entry count", limit: limits.maximumListEntries)
                writer.write(UInt16(listings.count))
                writer.writeReserved(2)
                for listing in listings { try listing.write(to: &writer) }
            case .scanoutBuffers(let event): try event.write(to: &writer)
            case .frameReady(let event): try event.write(to: &writer)
            case .cursorImage(let event): try event.write(to: &writer)
            }
        }
    }
}
