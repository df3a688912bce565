import DisplayProtocol
@testable import DisplayServer
import Geometry
import NIOCore
import Testing

/// `ClientOutbox` alone (docs/protocol.md §12 "Bounded queues"): no sockets, messages in and out.
@Suite struct ClientOutboxTests {
    private typealias Outbox = ClientOutbox<String>

    private func drain(_ outbox: inout Outbox) -> [Outbox.Item] {
        var items: [Outbox.Item] = []
        while let item = outbox.popFirst() { items.append(item) }
        return items
    }

    private func frame(_ output: UInt32, sequence: UInt64, buffer: UInt16 = 0, flags: FrameReadyEvent.Flags = [],
                       cursor: (Int32, Int32) = (0, 0), damage: [WireRect]) -> ServerToClientMessage {
        .frameReady(FrameReadyEvent(outputID: output, sequence: sequence, bufferIndex: buffer, flags: flags,
                                    cursorX: cursor.0, cursorY: cursor.1, damage: damage))
    }

    private func flip(_ output: UInt32, sequence: UInt64, commit: UInt32) -> ServerToClientMessage {
        .pageFlip(PageFlipEvent(outputID: output, sequence: sequence, timestampNanoseconds: sequence * 1000, commitRequestID: commit))
    }

    private func cursor(_ output: UInt32, side: UInt16) -> ServerToClientMessage {
        .cursorImage(CursorImageEvent(outputID: output, width: side, height: side, hotspotX: 0, hotspotY: 0,
                                      pixels: .inline([UInt8](repeating: 0xff, count: Int(side) * Int(side) * 4))))
    }

    private func key(_ keysym: UInt32) -> ServerToClientMessage {
        .keyEvent(KeyInput(outputID: 5, keysym: keysym, down: true))
    }

    @Test func ordinaryMessagesComeOutInOrderWithTheirRequestIDsAndAttachments() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        #expect(outbox.push(.done, requestID: 7, attachment: "a", byteCount: 12) == .queued)
        #expect(outbox.push(.release(framebufferID: 3), attachment: "b", byteCount: 16) == .queued)
        #expect(outbox.push(.commitAccepted, requestID: 8, attachment: "c", byteCount: 12) == .queued)
        #expect(outbox.queuedBytes == 40)
        let items = drain(&outbox)
        #expect(items.map(\.message) == [.done, .release(framebufferID: 3), .commitAccepted])
        #expect(items.map(\.requestID) == [7, 0, 8])
        #expect(items.map(\.attachment) == ["a", "b", "c"])
        #expect(outbox.isEmpty && outbox.queuedBytes == 0 && outbox.count == 0)
    }

    @Test func unmergeableMessagesPastTheByteBoundAreRefused() {
        var outbox = Outbox(maximumQueuedBytes: 100)
        // A single message larger than the bound is taken when nothing waits, as by the channel.
        #expect(outbox.push(.release(framebufferID: 1), attachment: "", byteCount: 150) == .queued)
        #expect(outbox.push(.release(framebufferID: 2), attachment: "", byteCount: 16) == .refused)
        _ = outbox.popFirst()
        for id in 0..<6 { #expect(outbox.push(.release(framebufferID: UInt32(id)), attachment: "", byteCount: 16) == .queued) }
        #expect(outbox.push(.release(framebufferID: 9), attachment: "", byteCount: 16) == .refused)
        #expect(outbox.count == 6 && outbox.queuedBytes == 96)
    }

    @Test func pageFlipsOfAnOutputMergeToTheLatestAndMoveBehindLaterMessages() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        #expect(outbox.push(flip(5, sequence: 1, commit: 10), attachment: "", byteCount: 36) == .queued)
        #expect(outbox.push(flip(6, sequence: 1, commit: 11), attachment: "", byteCount: 36) == .queued)
        #expect(outbox.push(.commitAccepted, requestID: 12, attachment: "", byteCount: 12) == .queued)
        for sequence in 2...1000 as ClosedRange<UInt64> {
            #expect(outbox.push(flip(5, sequence: sequence, commit: UInt32(sequence + 10)), attachment: "", byteCount: 36) == .merged)
        }
        #expect(outbox.count == 3)
        #expect(drain(&outbox).map(\.message) == [flip(6, sequence: 1, commit: 11), .commitAccepted, flip(5, sequence: 1000, commit: 1010)])
    }

    @Test func frameReadyMergesDamageAndKeepsTheCursorImageChangedFlag() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(frame(5, sequence: 1, buffer: 1, flags: [.cursorImageChanged, .cursorVisible], cursor: (3, 4),
                              damage: [WireRect(x: 0, y: 0, width: 4, height: 4)]), attachment: "", byteCount: 56)
        #expect(outbox.pendingFrameReady(for: 5)?.bufferIndex == 1)
        #expect(outbox.pendingFrameReady(for: 6) == nil)
        #expect(outbox.push(frame(5, sequence: 2, buffer: 1, flags: [], cursor: (0, 0),
                                  damage: [WireRect(x: 10, y: 0, width: 2, height: 2)]), attachment: "", byteCount: 56) == .merged)
        let items = drain(&outbox)
        guard items.count == 1, case .frameReady(let merged) = items[0].message else { Issue.record("got \(items.map(\.message))"); return }
        #expect(merged.sequence == 2 && merged.bufferIndex == 1)
        #expect(merged.flags == .cursorImageChanged, "the cursor image changed in between, and is hidden now")
        #expect(merged.cursorX == 0 && merged.cursorY == 0)
        let region = merged.damage.reduce(into: Region()) { $0.formUnion(Rect(x: Int($1.x), y: Int($1.y), width: Int($1.width), height: Int($1.height))) }
        #expect(region == Region(rects: [Rect(x: 0, y: 0, width: 4, height: 4), Rect(x: 10, y: 0, width: 2, height: 2)]))
        #expect(outbox.pendingFrameReady(for: 5) == nil)
    }

    @Test func mergedDamageOfMoreThan256RectsBecomesItsBoundingBox() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        for i in 0..<260 {
            // Pixels on a diagonal, two apart: no two merge into one rect.
            _ = outbox.push(frame(5, sequence: UInt64(i), damage: [WireRect(x: Int32(2 * i), y: Int32(2 * i), width: 1, height: 1)]),
                            attachment: "", byteCount: 56)
        }
        guard case .frameReady(let merged)? = outbox.popFirst()?.message else { Issue.record("no FrameReady"); return }
        #expect(merged.damage == [WireRect(x: 0, y: 0, width: 519, height: 519)])
        #expect(merged.sequence == 259)
    }

    @Test func cursorImagesMergeToTheLatestAndAPendingFrameReadyFollowsThem() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(cursor(5, side: 1), attachment: "fd1", byteCount: 32)
        _ = outbox.push(frame(5, sequence: 1, flags: .cursorImageChanged, damage: []), attachment: "", byteCount: 40)
        _ = outbox.push(.done, requestID: 3, attachment: "", byteCount: 12)
        #expect(outbox.push(cursor(5, side: 2), attachment: "fd2", byteCount: 44) == .merged)
        let items = drain(&outbox)
        #expect(items.map(\.message) == [.done, cursor(5, side: 2), frame(5, sequence: 1, flags: .cursorImageChanged, damage: [])])
        #expect(items[1].attachment == "fd2", "the older image's attachment (its memfd) is dropped")
    }

    @Test func unsubscribingDiscardsTheOutputsPendingFrameAndCursor() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(cursor(5, side: 1), attachment: "", byteCount: 32)
        _ = outbox.push(frame(5, sequence: 1, damage: []), attachment: "", byteCount: 40)
        _ = outbox.push(frame(6, sequence: 1, damage: []), attachment: "", byteCount: 40)
        var resized = outbox
        outbox.discardPendingFrames(of: 5)
        #expect(outbox.count == 1)
        #expect(drain(&outbox).map(\.message) == [frame(6, sequence: 1, damage: [])])
        // New buffers (a size change) make the FrameReady stale, not the cursor.
        resized.discardPendingFrames(of: 5, keepingCursor: true)
        #expect(drain(&resized).map(\.message) == [cursor(5, side: 1), frame(6, sequence: 1, damage: [])])
    }

    @Test func keyEventsPastTheCapDropTheOldestFirstAndSayItOnce() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(.done, requestID: 1, attachment: "", byteCount: 12)
        var admissions: [Outbox.Admission] = []
        for keysym in 0..<10_000 as Range<UInt32> { admissions.append(outbox.push(key(keysym), attachment: "", byteCount: 28)) }
        #expect(admissions.prefix(256).allSatisfy { $0 == .queued })
        #expect(admissions[256] == .droppedOldestEvent(first: true))
        #expect(admissions.dropFirst(257).allSatisfy { $0 == .droppedOldestEvent(first: false) })
        #expect(outbox.queuedEvents == 256 && outbox.count == 257 && outbox.droppedEvents == 10_000 - 256)
        let items = drain(&outbox)
        #expect(items.first?.message == .done)
        #expect(items.dropFirst().map(\.message) == (10_000 - 256..<10_000).map { key($0) })
        #expect(outbox.queuedEvents == 0)
    }

    @Test func pointerMotionMergesButPressesAndReleasesKeepTheirPlace() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        func pointer(_ x: Int32, _ buttons: UInt16, output: UInt32 = 5) -> ServerToClientMessage {
            .pointerEvent(PointerInput(outputID: output, x: x, y: 0, buttons: buttons))
        }
        // The output's first event is not a motion; the first motion is kept, later ones merge.
        #expect(outbox.push(pointer(1, 0), attachment: "", byteCount: 28) == .queued)
        #expect(outbox.push(pointer(2, 0), attachment: "", byteCount: 28) == .queued)
        for x in 3...5_000 as ClosedRange<Int32> { #expect(outbox.push(pointer(x, 0), attachment: "", byteCount: 28) == .merged) }
        // A press keeps its position: the drag after it does not merge into it.
        #expect(outbox.push(pointer(5_000, 1), attachment: "", byteCount: 28) == .queued, "a press is kept")
        #expect(outbox.push(pointer(5_001, 1), attachment: "", byteCount: 28) == .queued, "the drag's first motion is kept")
        #expect(outbox.push(pointer(5_002, 1), attachment: "", byteCount: 28) == .merged, "the drag merges")
        #expect(outbox.push(pointer(5_002, 0), attachment: "", byteCount: 28) == .queued, "a release is kept")
        #expect(outbox.push(pointer(7, 1, output: 6), attachment: "", byteCount: 28) == .queued, "another output's pointer is kept")
        #expect(outbox.push(pointer(8, 1, output: 6), attachment: "", byteCount: 28) == .queued, "no motion merges into a press")
        #expect(outbox.push(key(1), attachment: "", byteCount: 28) == .queued)
        #expect(outbox.push(pointer(9, 1, output: 6), attachment: "", byteCount: 28) == .queued, "motion after a key stays behind it")
        #expect(drain(&outbox).map(\.message) == [pointer(1, 0), pointer(5_000, 0), pointer(5_000, 1), pointer(5_002, 1), pointer(5_002, 0),
                                                  pointer(7, 1, output: 6), pointer(8, 1, output: 6), key(1), pointer(9, 1, output: 6)])
        // Once sent, an event is not merged into any more.
        #expect(outbox.push(pointer(10, 1, output: 6), attachment: "", byteCount: 28) == .queued)
    }

    @Test func clipboardAndLayoutKeepTheLatestPerOutput() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(.clipboardText(outputID: 5, text: "one"), attachment: "", byteCount: 23)
        _ = outbox.push(.clipboardText(outputID: 6, text: "six"), attachment: "", byteCount: 23)
        #expect(outbox.push(.clipboardText(outputID: 5, text: "two"), attachment: "", byteCount: 23) == .merged)
        let a = OutputLayoutEntry(outputID: 5, width: 800, height: 600, x: 0, y: 0)
        let b = OutputLayoutEntry(outputID: 6, width: 640, height: 480, x: 800, y: 0)
        let a2 = OutputLayoutEntry(outputID: 5, width: 1024, height: 768, x: 0, y: 0)
        _ = outbox.push(.layoutRequest([a, b]), attachment: "", byteCount: 56)
        #expect(outbox.push(.layoutRequest([a2]), attachment: "", byteCount: 36) == .merged)
        #expect(outbox.queuedEvents == 3)
        #expect(drain(&outbox).map(\.message) == [.clipboardText(outputID: 6, text: "six"), .clipboardText(outputID: 5, text: "two"),
                                                  .layoutRequest([b, a2])])
    }

    private func encoded(_ message: ServerToClientMessage, requestID: UInt32 = 0) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try buffer.writeDisplayMessage(message, requestID: requestID)
        return Array(buffer.readableBytesView)
    }

    /// The bytes encoded at push travel with the item, so the server encodes once; a merge that
    /// changes the message (FrameReady damage, LayoutRequest entries, a pointer motion) drops them
    /// and the server encodes the merged message. Whatever bytes come out are those of the message.
    @Test func encodedBytesComeOutUnlessAMergeChangedTheMessage() throws {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        func push(_ message: ServerToClientMessage, requestID: UInt32 = 0) throws -> Outbox.Admission {
            outbox.push(message, requestID: requestID, attachment: "", encoded: try encoded(message, requestID: requestID))
        }
        let pointer = { (x: Int32) in ServerToClientMessage.pointerEvent(PointerInput(outputID: 5, x: x, y: 0, buttons: 0)) }
        #expect(try push(.done, requestID: 4) == .queued)
        #expect(try push(flip(5, sequence: 1, commit: 1)) == .queued)
        #expect(try push(flip(5, sequence: 2, commit: 2)) == .merged)
        #expect(try push(frame(5, sequence: 1, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)])) == .queued)
        #expect(try push(frame(5, sequence: 2, damage: [WireRect(x: 5, y: 5, width: 1, height: 1)])) == .merged)
        #expect(try push(.layoutRequest([OutputLayoutEntry(outputID: 5, width: 8, height: 6, x: 0, y: 0)])) == .queued)
        #expect(try push(.layoutRequest([OutputLayoutEntry(outputID: 6, width: 8, height: 6, x: 0, y: 0)])) == .merged)
        _ = try push(pointer(1))
        #expect(try push(pointer(2)) == .queued)
        #expect(try push(pointer(3)) == .merged)
        let items = drain(&outbox)
        #expect(items.map { $0.encoded == nil } == [false, false, true, true, false, true])
        for item in items {
            if let bytes = item.encoded { #expect(bytes == (try encoded(item.message, requestID: item.requestID)), "\(item.message)") }
            #expect(item.byteCount == (try encoded(item.message, requestID: item.requestID)).count || item.encoded == nil)
        }
    }

    @Test func anOutboxThatIsNeverEmptiedKeepsItsStorageBounded() {
        // A client that never reads: nothing is popped, everything merges or is dropped. The
        // storage must not keep an entry per merged-away or dropped message.
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        _ = outbox.push(.done, requestID: 1, attachment: "", byteCount: 12)
        for i in 0..<20_000 {
            _ = outbox.push(cursor(5, side: 1), attachment: "", byteCount: 32)
            _ = outbox.push(frame(5, sequence: UInt64(i), damage: [WireRect(x: 0, y: 0, width: 1, height: 1)]), attachment: "", byteCount: 56)
            _ = outbox.push(flip(5, sequence: UInt64(i), commit: 1), attachment: "", byteCount: 36)
            _ = outbox.push(key(UInt32(i)), attachment: "", byteCount: 28)
        }
        #expect(outbox.count == 1 + 3 + 256)
        #expect(outbox.storedEntries <= 2 * outbox.count + 64, "\(outbox.storedEntries) entries stored for \(outbox.count) messages")
        let items = drain(&outbox)
        #expect(items.first?.message == .done)
        #expect(items.last?.message == key(19_999))
        #expect(outbox.pendingFrameReady(for: 5) == nil && outbox.isEmpty)
    }

    @Test func aQueueThatNeverRunsEmptyKeepsItsSlotsRightAcrossCompaction() {
        var outbox = Outbox(maximumQueuedBytes: 1 << 20)
        // Many pops and pushes, with a FrameReady kept pending throughout: the slot must still be
        // found after the queue drops its sent prefix.
        _ = outbox.push(frame(5, sequence: 0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)]), attachment: "", byteCount: 56)
        for i in 1...500 {
            _ = outbox.push(.release(framebufferID: UInt32(i)), attachment: "", byteCount: 16)
            _ = outbox.push(key(UInt32(i)), attachment: "", byteCount: 28)
            #expect(outbox.push(frame(5, sequence: UInt64(i), damage: [WireRect(x: Int32(i % 50), y: 0, width: 1, height: 1)]),
                                attachment: "", byteCount: 56) == .merged)
            _ = outbox.popFirst()
        }
        #expect(outbox.pendingFrameReady(for: 5)?.sequence == 500)
        let items = drain(&outbox)
        let frames = items.compactMap { item -> FrameReadyEvent? in
            if case .frameReady(let event) = item.message { return event }
            return nil
        }
        #expect(frames.map(\.sequence) == [500])
        #expect(frames.first?.damage == [WireRect(x: 0, y: 0, width: 50, height: 1)])
    }
}
