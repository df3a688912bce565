import DisplayProtocol
import NIOCore
import Testing

/// Hostile and broken input: every check of docs/protocol.md §3 and §8 fails the decoder with the
/// right error, before it waits for or allocates what a bad length announces.
struct DecoderLimitTests {
    private func expectFailure<Message>(_ decoder: inout DisplayMessageDecoder<Message>, _ kind: DisplayProtocolDecodingError.Kind,
                                        code: ProtocolErrorCode? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let message = try decoder.next()
            Issue.record("decoded \(String(describing: message)) instead of failing with \(kind)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            if let code { #expect(error.code == code, sourceLocation: sourceLocation) }
        }
    }

    private func clientBytes(_ message: ClientToServerMessage, requestID: UInt32 = 7,
                             limits: DisplayProtocolLimits = .version1) throws -> [UInt8] {
        try Codec.encode(message, requestID: requestID, limits: limits).bytes
    }

    @Test func aLengthOverTheMaximumIsRefusedAfterFourBytes() {
        var decoder = ClientToServerDecoder()
        decoder.append([0x01, 0x00, 0x01, 0x00])
        expectFailure(&decoder, .messageTooLarge(length: 65537, limit: 65536), code: .limitExceeded)

        var huge = ClientToServerDecoder()
        huge.append([0xff, 0xff, 0xff, 0xff])
        expectFailure(&huge, .messageTooLarge(length: .max, limit: 65536))

        var small = ClientToServerDecoder(limits: DisplayProtocolLimits(maximumMessageSize: 4096))
        small.append([0x01, 0x10, 0x00, 0x00])
        expectFailure(&small, .messageTooLarge(length: 4097, limit: 4096))
    }

    @Test func aLengthShorterThanTheHeaderIsRefused() {
        var decoder = ClientToServerDecoder()
        decoder.append([11, 0, 0, 0])
        expectFailure(&decoder, .messageTooShort(length: 11), code: .protocolError)
    }

    @Test func headerFlagsMustBeZero() throws {
        var bytes = try clientBytes(.listOutputs)
        bytes[7] = 1
        var decoder = ClientToServerDecoder()
        decoder.append(bytes.prefix(8))
        expectFailure(&decoder, .nonZeroHeaderFlags(1))
    }

    @Test func unknownTypesAreRefusedAsSoonAsTheHeaderIsIn() throws {
        var unknown = ClientToServerDecoder()
        unknown.append([12, 0, 0, 0, 0x99, 0x00, 0, 0])
        expectFailure(&unknown, .unknownMessageType(DisplayMessageType(rawValue: 0x0099)), code: .protocolError)

        // A server message sent to the server, and a client message sent to a client.
        var wrongDirection = ClientToServerDecoder()
        wrongDirection.append(try Codec.encode(ServerToClientMessage.done, requestID: 1).bytes)
        expectFailure(&wrongDirection, .unknownMessageType(.done))
        var wrongDirectionBack = ServerToClientDecoder()
        wrongDirectionBack.append(try clientBytes(.listOutputs))
        expectFailure(&wrongDirectionBack, .unknownMessageType(.listOutputs))
    }

    @Test func moreFDsThanTheLimitCannotBeDeclared() {
        var decoder = ServerToClientDecoder()
        decoder.append([40, 0, 0, 0, 0x32, 0x80, 9, 0])
        expectFailure(&decoder, .tooManyFDsDeclared(count: 9, limit: 8), code: .limitExceeded)
    }

    @Test func tooManyDamageRectsAreRefusedByWriterAndDecoder() throws {
        let plane = CommitPlaneState(planeID: 1, framebufferID: 1, source: WireFixedRect(pixelsX: 0, y: 0, width: 1, height: 1),
                                     destination: WireRect(x: 0, y: 0, width: 1, height: 1),
                                     damage: Array(repeating: WireRect(x: 0, y: 0, width: 1, height: 1), count: 257))
        let commit = ClientToServerMessage.commit(CommitRequest(planes: [plane]))
        var buffer = ByteBuffer()
        #expect(throws: DisplayProtocolEncodingError.self) { try buffer.writeDisplayMessage(commit, requestID: 1) }
        #expect(buffer.readableBytes == 0, "a refused message writes nothing")

        let bytes = try clientBytes(commit, limits: DisplayProtocolLimits(maximumDamageRects: 1000))
        var decoder = ClientToServerDecoder()
        decoder.append(bytes)
        expectFailure(&decoder, .countTooLarge(field: "Commit damage rect count", count: 257, limit: 256), code: .limitExceeded)
    }

    @Test func tooManyPlaneStatesAndListEntriesAreRefused() throws {
        let plane = CommitPlaneState(planeID: 1, framebufferID: 0, source: WireFixedRect(x: 0, y: 0, width: 0, height: 0),
                                     destination: WireRect(x: 0, y: 0, width: 0, height: 0))
        var commit = ClientToServerDecoder()
        commit.append(try clientBytes(.commit(CommitRequest(planes: Array(repeating: plane, count: 65))),
                                      limits: DisplayProtocolLimits(maximumCommitPlanes: 100)))
        expectFailure(&commit, .countTooLarge(field: "Commit plane state count", count: 65, limit: 64))

        let entry = OutputLayoutEntry(outputID: 1, width: 1, height: 1, x: 0, y: 0)
        var layout = ClientToServerDecoder()
        layout.append(try clientBytes(.requestLayout(Array(repeating: entry, count: 65)), limits: DisplayProtocolLimits(maximumListEntries: 100)))
        expectFailure(&layout, .countTooLarge(field: "RequestLayout entry count", count: 65, limit: 64))
    }

    @Test func stringsOverTheirLimitAreRefusedByWriterAndDecoder() throws {
        let longName = String(repeating: "n", count: 256)
        let hello = ClientToServerMessage.hello(HelloMessage(role: .producer, clientName: longName))
        var buffer = ByteBuffer()
        #expect(throws: DisplayProtocolEncodingError.fieldTooLarge(type: .hello, field: "name", count: 256, limit: 255)) {
            try buffer.writeDisplayMessage(hello, requestID: 1)
        }
        var decoder = ClientToServerDecoder()
        decoder.append(try clientBytes(hello, limits: DisplayProtocolLimits(maximumNameBytes: 300)))
        expectFailure(&decoder, .countTooLarge(field: "Hello name length", count: 256, limit: 255))

        let error = ServerToClientMessage.error(ErrorReport(code: .protocolError, message: String(repeating: "e", count: 1025)))
        var errorDecoder = ServerToClientDecoder()
        errorDecoder.append(try Codec.encode(error, requestID: 0, limits: DisplayProtocolLimits(maximumErrorMessageBytes: 2000)).bytes)
        expectFailure(&errorDecoder, .stringTooLong(field: "Error text", length: 1025, limit: 1024))
    }

    @Test func invalidUTF8IsRefused() throws {
        var bytes = try clientBytes(.createOutput(CreateOutputRequest(name: "ab", mode: WireMode(width: 1, height: 1, refreshMillihertz: 1),
                                                                      preferredMode: WireMode(width: 1, height: 1, refreshMillihertz: 1))))
        bytes[bytes.count - 1] = 0xff
        var decoder = ClientToServerDecoder()
        decoder.append(bytes)
        expectFailure(&decoder, .invalidUTF8(field: "CreateOutput name"), code: .invalidArgument)
    }

    @Test func aMessageTooLargeToWriteIsRefusedAndWritesNothing() throws {
        var buffer = ByteBuffer()
        buffer.writeString("kept")
        let text = ClientToServerMessage.setClipboardText(outputID: 1, text: String(repeating: "x", count: 65536 - 20 + 1))
        #expect(throws: DisplayProtocolEncodingError.messageTooLarge(type: .setClipboardText, length: 65537, limit: 65536)) {
            try buffer.writeDisplayMessage(text, requestID: 1)
        }
        #expect(buffer.readableBytes == 4)
        let fits = ClientToServerMessage.setClipboardText(outputID: 1, text: String(repeating: "x", count: 65536 - 20))
        #expect(try buffer.writeDisplayMessage(fits, requestID: 1) == [])
        #expect(buffer.readableBytes == 4 + 65536)

        let cursor = ServerToClientMessage.cursorImage(CursorImageEvent(outputID: 1, width: 2, height: 2, hotspotX: 0, hotspotY: 0,
                                                                         pixels: .inline([1, 2, 3])))
        #expect(throws: DisplayProtocolEncodingError.self) { try buffer.writeDisplayMessage(cursor, requestID: 0) }
    }

    @Test func aFramebufferWithoutItsFDIsRefused() throws {
        let request = ClientToServerMessage.createFramebuffer(CreateFramebufferRequest(format: 0x3432_5258, width: 1, height: 1, stride: 4,
                                                                                        memoryKind: .sharedMemory, fd: 3))
        var bytes = try clientBytes(request)
        bytes[6] = 0
        var decoder = ClientToServerDecoder()
        decoder.append(bytes)
        expectFailure(&decoder, .fdCountMismatch(type: .createFramebuffer, declared: 0, expected: 1), code: .protocolError)
    }

    @Test func fdCountsMustMatchTheBody() throws {
        var destroy = try clientBytes(.destroyOutput(outputID: 1))
        destroy[6] = 1
        var decoder = ClientToServerDecoder()
        decoder.append(destroy)
        decoder.appendFDs([5])
        expectFailure(&decoder, .fdCountMismatch(type: .destroyOutput, declared: 1, expected: 0))
        #expect(decoder.takeQueuedFDs() == [5], "fds of a refused message stay queued for the caller to close")

        var flip = try clientBytes(.setFlipEventFD(4))
        flip[6] = 2
        var flipDecoder = ClientToServerDecoder()
        flipDecoder.append(flip)
        flipDecoder.appendFDs([4, 5])
        expectFailure(&flipDecoder, .fdCountMismatch(type: .setFlipEventFD, declared: 2, expected: 1))

        let buffers = ServerToClientMessage.scanoutBuffers(ScanoutBuffersEvent(outputID: 1, format: 0, width: 1, height: 1, stride: 4,
                                                                                bufferSize: 4, fds: [8, 9]))
        var scanout = try Codec.encode(buffers, requestID: 0).bytes
        scanout[6] = 1
        var scanoutDecoder = ServerToClientDecoder()
        scanoutDecoder.append(scanout)
        scanoutDecoder.appendFDs([8])
        expectFailure(&scanoutDecoder, .fdCountMismatch(type: .scanoutBuffers, declared: 1, expected: 2))

        let cursor = ServerToClientMessage.cursorImage(CursorImageEvent(outputID: 1, width: 1, height: 1, hotspotX: 0, hotspotY: 0, pixels: .memfd(3)))
        var cursorBytes = try Codec.encode(cursor, requestID: 0).bytes
        cursorBytes[6] = 0
        var cursorDecoder = ServerToClientDecoder()
        cursorDecoder.append(cursorBytes)
        expectFailure(&cursorDecoder, .fdCountMismatch(type: .cursorImage, declared: 0, expected: 1))
    }

    @Test func aMessageWaitsForItsFDsUntilBytesPastItArrive() throws {
        let request = ClientToServerMessage.createFramebuffer(CreateFramebufferRequest(format: 0x3432_5258, width: 1, height: 1, stride: 4,
                                                                                        memoryKind: .sharedMemory, fd: 3))
        let bytes = try clientBytes(request, requestID: 40)
        var waiting = ClientToServerDecoder()
        waiting.append(bytes)
        #expect(try waiting.next() == nil)
        waiting.appendFDs([3])
        #expect(try waiting.next() == DecodedDisplayMessage(requestID: 40, message: request))

        var missing = ClientToServerDecoder()
        missing.append(bytes + [12])
        do {
            _ = try missing.next()
            Issue.record("a message whose fds did not come with its bytes must fail")
        } catch {
            #expect(error.kind == .missingFDs(type: .createFramebuffer, declared: 1, received: 0))
            #expect(error.requestID == 40)
        }
    }

    @Test func fdsNoMessageClaimsAreRefused() throws {
        var extra = ClientToServerDecoder()
        extra.append(try clientBytes(.destroyOutput(outputID: 1)))
        extra.appendFDs([3])
        expectFailure(&extra, .unclaimedFDs(count: 1))

        var ahead = ClientToServerDecoder()
        ahead.appendFDs(Array(3..<12))
        ahead.append([1, 2])
        expectFailure(&ahead, .unclaimedFDs(count: 9))
        #expect(ahead.takeQueuedFDs() == Array(3..<12))
        #expect(ahead.queuedFDCount == 0)

        // Fds that arrived with the next message's first byte are that message's.
        let request = ClientToServerMessage.createFramebuffer(CreateFramebufferRequest(format: 0x3432_5258, width: 1, height: 1, stride: 4,
                                                                                        memoryKind: .dmaBuf, fd: 9))
        let next = try clientBytes(request, requestID: 2)
        var early = ClientToServerDecoder()
        early.append(try clientBytes(.listOutputs, requestID: 1) + next.prefix(1))
        early.appendFDs([9])
        #expect(try early.next() == DecodedDisplayMessage(requestID: 1, message: .listOutputs))
        #expect(try early.next() == nil)
        early.append(next.dropFirst())
        #expect(try early.next() == DecodedDisplayMessage(requestID: 2, message: request))
    }

    @Test func bodiesMustHaveExactlyTheirFields() throws {
        var short = ClientToServerDecoder()
        short.append([14, 0, 0, 0, 0x11, 0, 0, 0, 1, 0, 0, 0, 5, 0])
        expectFailure(&short, .truncatedBody(type: .destroyOutput))

        var long = ClientToServerDecoder()
        long.append([20, 0, 0, 0, 0x11, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 9, 9, 9, 9])
        expectFailure(&long, .trailingBytes(type: .destroyOutput, count: 4))
    }

    @Test func helloChecksItsMagicRoleAndFlags() throws {
        let hello = try clientBytes(.hello(HelloMessage(role: .consumer, clientName: "c")))
        var badMagic = hello
        badMagic[15] = UInt8(ascii: "X")
        var decoder = ClientToServerDecoder()
        decoder.append(badMagic)
        expectFailure(&decoder, .badMagic(Array("PRTX".utf8)), code: .protocolError)

        var badRole = hello
        badRole[20] = 3
        var roleDecoder = ClientToServerDecoder()
        roleDecoder.append(badRole)
        expectFailure(&roleDecoder, .invalidValue(field: "Hello role", value: 3), code: .invalidArgument)

        var badFlags = hello
        badFlags[21] = 2
        var flagsDecoder = ClientToServerDecoder()
        flagsDecoder.append(badFlags)
        expectFailure(&flagsDecoder, .invalidValue(field: "Hello flags", value: 2))
    }

    @Test func reservedFieldsAndUnknownBitsMustBeZero() throws {
        let framebuffer = try clientBytes(.createFramebuffer(CreateFramebufferRequest(format: 1, width: 1, height: 1, stride: 4,
                                                                                       memoryKind: .sharedMemory, fd: 3)))
        var reserved = framebuffer
        reserved[42] = 1
        var reservedDecoder = ClientToServerDecoder()
        reservedDecoder.append(reserved)
        reservedDecoder.appendFDs([3])
        expectFailure(&reservedDecoder, .invalidValue(field: "CreateFramebuffer reserved", value: 1))

        var kind = framebuffer
        kind[40] = 3
        var kindDecoder = ClientToServerDecoder()
        kindDecoder.append(kind)
        kindDecoder.appendFDs([3])
        expectFailure(&kindDecoder, .invalidValue(field: "CreateFramebuffer memory kind", value: 3))

        // Byte 41 holds the flags (version 1.1): bit 0 is the copy path, the others must be zero.
        var unknownFlag = framebuffer
        unknownFlag[41] = 2
        var unknownFlagDecoder = ClientToServerDecoder()
        unknownFlagDecoder.append(unknownFlag)
        unknownFlagDecoder.appendFDs([3])
        expectFailure(&unknownFlagDecoder, .invalidValue(field: "CreateFramebuffer flags", value: 2))
        var copy = framebuffer
        copy[41] = 1
        var copyDecoder = ClientToServerDecoder()
        copyDecoder.append(copy)
        copyDecoder.appendFDs([3])
        guard case .createFramebuffer(let request)? = try copyDecoder.next()?.message else {
            Issue.record("CreateFramebuffer with the copy flag did not decode")
            return
        }
        #expect(request.flags == .copy)
        #expect(try clientBytes(.createFramebuffer(request)) == copy)

        var commit = try clientBytes(.commit(CommitRequest()))
        commit[12] = 4
        var commitDecoder = ClientToServerDecoder()
        commitDecoder.append(commit)
        expectFailure(&commitDecoder, .invalidValue(field: "Commit flags", value: 4))

        var key = try clientBytes(.keyInput(KeyInput(outputID: 1, keysym: 1, down: true)))
        key[24] = 2
        var keyDecoder = ClientToServerDecoder()
        keyDecoder.append(key)
        expectFailure(&keyDecoder, .invalidValue(field: "KeyInput down", value: 2))
    }

    @Test func aFailedDecoderStaysFailed() throws {
        var decoder = ClientToServerDecoder()
        decoder.append([0xff, 0xff, 0xff, 0xff])
        expectFailure(&decoder, .messageTooLarge(length: .max, limit: 65536))
        decoder.append(try clientBytes(.listOutputs))
        expectFailure(&decoder, .messageTooLarge(length: .max, limit: 65536))
        #expect(throws: DisplayProtocolDecodingError.self) { try decoder.finish() }
    }

    @Test func theStreamMustEndBetweenMessages() throws {
        var decoder = ClientToServerDecoder()
        decoder.append(try clientBytes(.listOutputs).prefix(5))
        #expect(try decoder.next() == nil)
        #expect(throws: DisplayProtocolDecodingError(.truncatedStream(bufferedBytes: 5, queuedFDs: 0))) { try decoder.finish() }

        var leftover = ClientToServerDecoder()
        leftover.appendFDs([3])
        #expect(throws: DisplayProtocolDecodingError(.truncatedStream(bufferedBytes: 0, queuedFDs: 1))) { try leftover.finish() }
    }
}
