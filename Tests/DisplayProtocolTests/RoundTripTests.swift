import PortholeTestSupport
import DisplayProtocol
import NIOCore
import Testing

/// Every message survives writing and decoding: whole, byte by byte with its fds arriving at any
/// point, and inside a stream split at random (docs/protocol.md §3).
struct RoundTripTests {
    /// Where, in a byte-by-byte feed, the message's fds are appended.
    enum FDArrival: CaseIterable, Sendable { case beforeFirstByte, afterFirstByte, midway, afterLastByte }

    @Test func samplesCoverEveryMessageType() {
        #expect(Set(SampleMessages.allClient.map(\.message.messageType)) == Set(DisplayMessageType.clientToServer))
        #expect(Set(SampleMessages.allServer.map(\.message.messageType)) == Set(DisplayMessageType.serverToClient))
        #expect(SampleMessages.goldenClient.map(\.message.messageType) == DisplayMessageType.clientToServer)
        #expect(SampleMessages.goldenServer.map(\.message.messageType) == DisplayMessageType.serverToClient)
    }

    private func roundTripWhole<Message: DisplayWireMessage>(_ message: Message, requestID: UInt32) throws {
        let (bytes, fds) = try Codec.encode(message, requestID: requestID)
        #expect(fds == message.fds)
        var decoder = DisplayMessageDecoder<Message>()
        decoder.append(bytes)
        decoder.appendFDs(fds)
        #expect(try decoder.next() == DecodedDisplayMessage(requestID: requestID, message: message))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.queuedFDCount == 0)
        try decoder.finish()
    }

    private func roundTripByteByByte<Message: DisplayWireMessage>(_ message: Message, requestID: UInt32, fdArrival: FDArrival) throws {
        let (bytes, fds) = try Codec.encode(message, requestID: requestID)
        let fdIndex: Int
        switch fdArrival {
        case .beforeFirstByte: fdIndex = 0
        case .afterFirstByte: fdIndex = 1
        case .midway: fdIndex = bytes.count / 2
        case .afterLastByte: fdIndex = bytes.count
        }
        var decoder = DisplayMessageDecoder<Message>()
        var decoded: [DecodedDisplayMessage<Message>] = []
        for index in 0...bytes.count {
            if index == fdIndex { decoder.appendFDs(fds) }
            if index < bytes.count { decoder.append([bytes[index]]) }
            let complete = index >= bytes.count - 1 && (fds.isEmpty || index >= fdIndex)
            if let message = try decoder.next() {
                #expect(complete, "a message must come out only once its last byte and its fds are in")
                decoded.append(message)
            }
        }
        #expect(decoded == [DecodedDisplayMessage(requestID: requestID, message: message)])
        try decoder.finish()
    }

    @Test(arguments: SampleMessages.allClient.indices)
    func clientMessageRoundTripsWhole(_ index: Int) throws {
        let sample = SampleMessages.allClient[index]
        try roundTripWhole(sample.message, requestID: sample.requestID)
    }

    @Test(arguments: SampleMessages.allServer.indices)
    func serverMessageRoundTripsWhole(_ index: Int) throws {
        let sample = SampleMessages.allServer[index]
        try roundTripWhole(sample.message, requestID: sample.requestID)
    }

    @Test(arguments: SampleMessages.allClient.indices, FDArrival.allCases)
    func clientMessageRoundTripsByteByByte(_ index: Int, fdArrival: FDArrival) throws {
        let sample = SampleMessages.allClient[index]
        try roundTripByteByByte(sample.message, requestID: sample.requestID, fdArrival: fdArrival)
    }

    @Test(arguments: SampleMessages.allServer.indices, FDArrival.allCases)
    func serverMessageRoundTripsByteByByte(_ index: Int, fdArrival: FDArrival) throws {
        let sample = SampleMessages.allServer[index]
        try roundTripByteByByte(sample.message, requestID: sample.requestID, fdArrival: fdArrival)
    }

    /// Feeds a stream of messages in random chunks. As from a real socket, each message's fds
    /// arrive with the chunk that holds the message's first byte, randomly before or after the
    /// chunk's bytes are appended.
    private func roundTripStream<Message: DisplayWireMessage>(_ samples: [(requestID: UInt32, message: Message)], seed: UInt64) throws {
        var stream: [UInt8] = []
        var starts: [(offset: Int, fds: [Int32])] = []
        for sample in samples {
            let (bytes, fds) = try Codec.encode(sample.message, requestID: sample.requestID)
            starts.append((stream.count, fds))
            stream += bytes
        }
        var random = SplitMix(seed: seed)
        var decoder = DisplayMessageDecoder<Message>()
        var decoded: [DecodedDisplayMessage<Message>] = []
        var offset = 0
        while offset < stream.count {
            let maximumChunk = [1, 3, 17, 300, 70_000][Int.random(in: 0..<5, using: &random)]
            let end = min(stream.count, offset + Int.random(in: 1...maximumChunk, using: &random))
            let fds = starts.filter { $0.offset >= offset && $0.offset < end }.flatMap(\.fds)
            let fdsFirst = Bool.random(using: &random)
            if fdsFirst { decoder.appendFDs(fds) }
            decoder.append(stream[offset..<end])
            if !fdsFirst { decoder.appendFDs(fds) }
            decoded += try Codec.drain(&decoder)
            offset = end
        }
        #expect(decoded == samples.map { DecodedDisplayMessage(requestID: $0.requestID, message: $0.message) })
        try decoder.finish()
    }

    @Test(arguments: 0..<16)
    func aStreamOfAllClientMessagesDecodesInOrderWhateverTheSplit(_ seed: Int) throws {
        try roundTripStream(SampleMessages.allClient, seed: UInt64(seed))
    }

    @Test(arguments: 0..<16)
    func aStreamOfAllServerMessagesDecodesInOrderWhateverTheSplit(_ seed: Int) throws {
        try roundTripStream(SampleMessages.allServer, seed: UInt64(seed))
    }

    @Test func aWrittenMessageDeclaresItsLengthAndFDCountInTheHeader() throws {
        for sample in SampleMessages.allServer {
            let (bytes, fds) = try Codec.encode(sample.message, requestID: sample.requestID)
            #expect(Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24 == bytes.count)
            #expect(Int(bytes[6]) == fds.count)
            #expect(bytes[7] == 0)
        }
    }
}
