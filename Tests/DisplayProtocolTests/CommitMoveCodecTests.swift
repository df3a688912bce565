import DisplayProtocol
import NIOCore
import Testing

/// A Commit plane state's moves (docs/protocol.md §5.8, version 1.2): their bytes, their count at
/// +46 (reserved before 1.2), and the limit of 16 (§8), checked before anything is allocated.
struct CommitMoveCodecTests {
    /// A plane state with the given lists, on plane 1 showing framebuffer 2 (16x16).
    private func plane(damage: [WireRect] = [], moves: [WireMove]) -> CommitPlaneState {
        CommitPlaneState(planeID: 1, framebufferID: 2, source: WireFixedRect(pixelsX: 0, y: 0, width: 16, height: 16),
                         destination: WireRect(x: 0, y: 0, width: 16, height: 16), damage: damage, moves: moves)
    }

    private func expectFailure(_ bytes: [UInt8], _ kind: DisplayProtocolDecodingError.Kind, code: ProtocolErrorCode,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        var decoder = ClientToServerDecoder()
        decoder.append(bytes)
        do {
            let message = try decoder.next()
            Issue.record("decoded \(String(describing: message)) instead of failing with \(kind)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.requestID == 7, sourceLocation: sourceLocation)
        }
    }

    /// Sets the little-endian u16 at `offset` of `bytes`.
    private func setU16(_ bytes: inout [UInt8], at offset: Int, to value: UInt16) {
        bytes[offset] = UInt8(value & 0xff)
        bytes[offset + 1] = UInt8(value >> 8)
    }

    /// The commit's plane state starts at offset 20 (no output states); its counts are at +44
    /// and +46, its lists at +48.
    private static let damageCountOffset = 20 + 44, moveCountOffset = 20 + 46, listsOffset = 20 + 48

    @Test func aCommitWithDamageAndMovesRoundTripsWholeAndByteByByte() throws {
        let damage = [WireRect(x: 0, y: 12, width: 16, height: 4), WireRect(x: 0, y: 0, width: 4, height: 4)]
        let moves = [WireMove(destination: WireRect(x: 0, y: 0, width: 16, height: 12), sourceX: 0, sourceY: 4),
                     WireMove(destination: WireRect(x: 8, y: 8, width: 4, height: 4), sourceX: -3, sourceY: .max)]
        let message = ClientToServerMessage.commit(CommitRequest(flags: [.pageFlipEvent], planes: [plane(damage: damage, moves: moves)]))
        let (bytes, fds) = try Codec.encode(message, requestID: 7)
        #expect(fds.isEmpty)
        #expect(bytes.count == 20 + 48 + 16 * 2 + 24 * 2, "length 20 + 28a + Σ(48 + 16d + 24m)")
        let expected = DecodedDisplayMessage(requestID: 7, message: message)

        var whole = ClientToServerDecoder()
        whole.append(bytes)
        #expect(try whole.next() == expected)
        #expect(try whole.next() == nil)
        try whole.finish()

        var byteByByte = ClientToServerDecoder()
        var decoded: [DecodedDisplayMessage<ClientToServerMessage>] = []
        for (index, byte) in bytes.enumerated() {
            byteByByte.append([byte])
            if let message = try byteByByte.next() {
                #expect(index == bytes.count - 1, "the commit must come out only with its last byte")
                decoded.append(message)
            }
        }
        #expect(decoded == [expected])
        try byteByByte.finish()
    }

    @Test func oneMoveHasItsExactBytesAfterTheDamage() throws {
        let move = WireMove(destination: WireRect(x: 1, y: -2, width: 3, height: 4), sourceX: -5, sourceY: 0x0102_0304)
        let damage = WireRect(x: 9, y: 9, width: 1, height: 1)
        let bytes = try Codec.encode(ClientToServerMessage.commit(CommitRequest(planes: [plane(damage: [damage], moves: [move])])),
                                     requestID: 7).bytes
        #expect(Array(bytes[Self.damageCountOffset..<Self.listsOffset]) == [1, 0, 1, 0], "damage count 1, move count 1")
        let moveStart = Self.listsOffset + 16
        #expect(bytes.count == moveStart + 24)
        #expect(Array(bytes[moveStart...]) == [0x01, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x03, 0, 0, 0, 0x04, 0, 0, 0,
                                               0xfb, 0xff, 0xff, 0xff, 0x04, 0x03, 0x02, 0x01])
    }

    @Test func aNonZeroMoveCountIsNoLongerReserved() throws {
        // Before 1.2 the u16 at +46 was reserved; now a count there announces that many moves.
        let move = WireMove(destination: WireRect(x: 2, y: 2, width: 4, height: 4), sourceX: 0, sourceY: 0)
        var bytes = try Codec.encode(ClientToServerMessage.commit(CommitRequest(planes: [plane(moves: [])])), requestID: 7).bytes
        #expect(Array(bytes[Self.moveCountOffset..<Self.listsOffset]) == [0, 0])
        setU16(&bytes, at: Self.moveCountOffset, to: 1)
        bytes += [2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        bytes[0] = UInt8(bytes.count)
        var decoder = ClientToServerDecoder()
        decoder.append(bytes)
        guard case .commit(let commit)? = try decoder.next()?.message else {
            Issue.record("a Commit with a move count of 1 did not decode")
            return
        }
        #expect(commit.planes.map(\.moves) == [[move]])
        #expect(commit.planes.map(\.damage) == [[]])
    }

    @Test func aMoveCountOverSixteenIsRefusedBeforeAnyMoveIsRead() throws {
        // The body holds the plane state's fixed 48 bytes only: a decoder that read (or
        // reserved room for) what the count announces would fail with a truncated body instead.
        var bytes = try Codec.encode(ClientToServerMessage.commit(CommitRequest(planes: [plane(moves: [])])), requestID: 7).bytes
        setU16(&bytes, at: Self.moveCountOffset, to: 17)
        expectFailure(bytes, .countTooLarge(field: "Commit move count", count: 17, limit: 16), code: .limitExceeded)
        setU16(&bytes, at: Self.moveCountOffset, to: .max)
        expectFailure(bytes, .countTooLarge(field: "Commit move count", count: 65535, limit: 16), code: .limitExceeded)
        // The move count is checked before the damage rects are read too.
        setU16(&bytes, at: Self.damageCountOffset, to: 1)
        expectFailure(bytes, .countTooLarge(field: "Commit move count", count: 65535, limit: 16), code: .limitExceeded)
        // Sixteen fit; a body without them is then merely short.
        setU16(&bytes, at: Self.damageCountOffset, to: 0)
        setU16(&bytes, at: Self.moveCountOffset, to: 16)
        expectFailure(bytes, .truncatedBody(type: .commit), code: .protocolError)
    }

    @Test func theWriterRefusesMoreThanSixteenMoves() throws {
        let move = WireMove(destination: WireRect(x: 0, y: 0, width: 1, height: 1), sourceX: 1, sourceY: 1)
        let tooMany = ClientToServerMessage.commit(CommitRequest(planes: [plane(moves: Array(repeating: move, count: 17))]))
        var buffer = ByteBuffer()
        #expect(throws: DisplayProtocolEncodingError.fieldTooLarge(type: .commit, field: "move count", count: 17, limit: 16)) {
            try buffer.writeDisplayMessage(tooMany, requestID: 1)
        }
        #expect(buffer.readableBytes == 0, "a refused message writes nothing")
        #expect(DisplayProtocolLimits.version1.maximumMovesPerPlane == 16)

        // Written with a looser limit, the decoder's own limit still refuses it.
        let bytes = try Codec.encode(tooMany, requestID: 7, limits: DisplayProtocolLimits(maximumMovesPerPlane: 100)).bytes
        expectFailure(bytes, .countTooLarge(field: "Commit move count", count: 17, limit: 16), code: .limitExceeded)
    }
}
