import NIOCore

/// Everything a producer or consumer sends to the server (docs/protocol.md §5, §6).
///
/// Each message also carries a request id, which is not part of these values: it is given to
/// `ByteBuffer.writeDisplayMessage(_:requestID:limits:)` and comes back in `DecodedDisplayMessage`.
public enum ClientToServerMessage: DisplayWireMessage {
    /// §5.1: the first message; answered by Welcome or Error.
    case hello(HelloMessage)
    /// §5.2: answered by OutputCreated.
    case createOutput(CreateOutputRequest)
    /// §5.3: answered by Done.
    case destroyOutput(outputID: UInt32)
    /// §5.4: a new overlay plane on an output; answered by PlaneCreated.
    case createPlane(outputID: UInt32)
    /// §5.5: removes an overlay plane; answered by Done.
    case destroyPlane(planeID: UInt32)
    /// §5.6: carries 1 fd; answered by FramebufferCreated.
    case createFramebuffer(CreateFramebufferRequest)
    /// §5.7: answered by Done.
    case destroyFramebuffer(framebufferID: UInt32)
    /// §5.8: answered by CommitAccepted or CommitRejected.
    case commit(CommitRequest)
    /// §5.9: an eventfd to signal on every page flip of the client's outputs (1 fd), or nil (0 fds)
    /// to stop; answered by Done.
    case setFlipEventFD(Int32?)
    /// §6.1: answered by Outputs.
    case listOutputs
    /// §6.2: answered by Subscribed, then ScanoutBuffers.
    case subscribe(outputID: UInt32)
    /// §6.3: answered by Done.
    case unsubscribe(outputID: UInt32)
    /// §6.7: the consumer is done with the buffer that held frame `sequence`; no reply.
    case frameReleased(outputID: UInt32, bufferIndex: UInt16, sequence: UInt64)
    /// §6.4: no reply.
    case keyInput(KeyInput)
    /// §6.5: no reply.
    case pointerInput(PointerInput)
    /// §5.10: clipboard text from a producer (to viewers of `outputID`) or a consumer (to the
    /// output's owner); no reply.
    case setClipboardText(outputID: UInt32, text: String)
    /// §6.6: a consumer asks owners to change sizes and positions; no reply.
    case requestLayout([OutputLayoutEntry])

    public static func isKnownType(_ type: DisplayMessageType) -> Bool { DisplayMessageType.clientToServer.contains(type) }

    public var messageType: DisplayMessageType {
        switch self {
        case .hello: return .hello
        case .createOutput: return .createOutput
        case .destroyOutput: return .destroyOutput
        case .createPlane: return .createPlane
        case .destroyPlane: return .destroyPlane
        case .createFramebuffer: return .createFramebuffer
        case .destroyFramebuffer: return .destroyFramebuffer
        case .commit: return .commit
        case .setFlipEventFD: return .setFlipEventFD
        case .listOutputs: return .listOutputs
        case .subscribe: return .subscribe
        case .unsubscribe: return .unsubscribe
        case .frameReleased: return .frameReleased
        case .keyInput: return .keyInput
        case .pointerInput: return .pointerInput
        case .setClipboardText: return .setClipboardText
        case .requestLayout: return .requestLayout
        }
    }

    public var fds: [Int32] {
        switch self {
        case .createFramebuffer(let request): return [request.fd]
        case .setFlipEventFD(let fd): return fd.map { [$0] } ?? []
        default: return []
        }
    }

    public static func decode(type: DisplayMessageType, body: ByteBuffer, fds: [Int32],
                              limits: DisplayProtocolLimits) throws(DisplayProtocolDecodingError.Kind) -> ClientToServerMessage {
        var reader = WireReader(body: body, type: type, limits: limits)
        let message: ClientToServerMessage
        switch type {
        case .createFramebuffer:
            try expectFDs(fds, 1, type: type)
            message = .createFramebuffer(try CreateFramebufferRequest(from: &reader, fd: fds[0]))
        case .setFlipEventFD:
            guard fds.count <= 1 else { throw .fdCountMismatch(type: type, declared: fds.count, expected: 1) }
            message = .setFlipEventFD(fds.first)
        default:
            try expectFDs(fds, 0, type: type)
            message = try decodeWithoutFDs(type: type, reader: &reader)
        }
        try reader.finish()
        return message
    }

    private static func decodeWithoutFDs(type: DisplayMessageType, reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) -> ClientToServerMessage {
        switch type {
        case .hello: return .hello(try HelloMessage(from: &reader))
        case .createOutput: return .createOutput(try CreateOutputRequest(from: &reader))
        case .destroyOutput: return .destroyOutput(outputID: try reader.readU32())
        case .createPlane: return .createPlane(outputID: try reader.readU32())
        case .destroyPlane: return .destroyPlane(planeID: try reader.readU32())
        case .destroyFramebuffer: return .destroyFramebuffer(framebufferID: try reader.readU32())
        case .commit: return .commit(try CommitRequest(from: &reader))
        case .listOutputs: return .listOutputs
        case .subscribe: return .subscribe(outputID: try reader.readU32())
        case .unsubscribe: return .unsubscribe(outputID: try reader.readU32())
        case .frameReleased:
            let outputID = try reader.readU32()
            let bufferIndex = try reader.readU16()
            try reader.skipReserved(2)
            return .frameReleased(outputID: outputID, bufferIndex: bufferIndex, sequence: try reader.readU64())
        case .keyInput: return .keyInput(try KeyInput(from: &reader))
        case .pointerInput: return .pointerInput(try PointerInput(from: &reader))
        case .setClipboardText:
            let outputID = try reader.readU32()
            let length = Int(try reader.readU32())
            return .setClipboardText(outputID: outputID, text: try reader.readString(length: length, field: "SetClipboardText text", limit: reader.limits.maximumMessageSize))
        case .requestLayout: return .requestLayout(try OutputLayoutEntry.readList(from: &reader))
        default: throw .unknownMessageType(type)
        }
    }

    public func writeBody(into buffer: inout ByteBuffer, limits: DisplayProtocolLimits) throws(DisplayProtocolEncodingError) {
        try Self.withWriter(&buffer, type: messageType, limits: limits) { (writer: inout WireWriter) throws(DisplayProtocolEncodingError) in
            switch self {
            case .hello(let hello): try hello.write(to: &writer)
            case .createOutput(let request): try request.write(to: &writer)
            case .destroyOutput(let id), .createPlane(let id), .destroyPlane(let id), .destroyFramebuffer(let id),
                 .subscribe(let id), .unsubscribe(let id):
                writer.write(id)
            case .createFramebuffer(let request): request.write(to: &writer)
            case .commit(let request): try request.write(to: &writer)
            case .setFlipEventFD, .listOutputs: break
            case .frameReleased(let outputID, let bufferIndex, let sequence):
                writer.write(outputID)
                writer.write(bufferIndex)
                writer.writeReserved(2)
                writer.write(sequence)
            case .keyInput(let key): key.write(to: &writer)
            case .pointerInput(let pointer): pointer.write(to: &writer)
            case .setClipboardText(let outputID, let text):
                let bytes = try writer.utf8(text, field: "text", limit: limits.maximumMessageSize)
                writer.write(outputID)
                writer.write(UInt32(bytes.count))
                writer.writeBytes(bytes)
            case .requestLayout(let entries): try OutputLayoutEntry.writeList(entries, to: &writer)
            }
        }
    }
}
