#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Display
import DisplayProtocol
@testable import DisplayServer
import PortholeClient
import Synchronization
import SystemIO
import Testing

/// The cursor for consumers (docs/protocol.md §7.19, §7.20) and clients that stop reading
/// (§12 "Bounded queues"), over real sockets and frame clocks.
@Suite struct SlowClientTests {
    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// An AR24 cursor framebuffer of `side` × `side` whose pixel i is `pixel(i)`.
    private func cursorFramebuffer(_ producer: ProducerSetup, side: UInt32, pixel: (Int) -> UInt32) throws -> (ProducerBuffer, UInt32) {
        let buffer = try ProducerBuffer(width: side, height: side, format: 0x3432_5241)
        buffer.withPixels { pixels in for i in pixels.indices { pixels[i] = pixel(i) } }
        return (buffer, try producer.client.createFramebuffer(buffer))
    }

    /// Commits primary buffer `index` with `damage`, and the cursor plane showing `cursor` whole
    /// with its top-left at `at` (nil: the cursor plane off); waits for the flip.
    @discardableResult
    private func commit(_ producer: ProducerSetup, primary index: Int, damage: [WireRect],
                        cursor: (framebuffer: UInt32, side: UInt32)?, at point: (Int32, Int32) = (0, 0)) throws -> PageFlipEvent {
        let primary = CommitPlaneState(planeID: producer.output.primaryPlaneID, framebufferID: producer.framebuffers[index],
                                       source: WireFixedRect(x: 0, y: 0, width: producer.width << 16, height: producer.height << 16),
                                       destination: WireRect(x: 0, y: 0, width: producer.width, height: producer.height), damage: damage)
        let side = cursor?.side ?? 0
        let plane = CommitPlaneState(planeID: producer.output.cursorPlaneID, framebufferID: cursor?.framebuffer ?? 0,
                                     source: WireFixedRect(x: 0, y: 0, width: side << 16, height: side << 16),
                                     destination: WireRect(x: point.0, y: point.1, width: side, height: side), damage: [])
        let request = try producer.client.commit(CommitRequest(flags: .pageFlipEvent, planes: [primary, plane]))
        let flip = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        _ = producer.client.takeEvents { if case .release = $0 { return true } else { return false } }
        return flip
    }

    /// Events up to and including the next FrameReady.
    private func eventsThroughFrameReady(_ client: DisplayClient) throws -> [ServerToClientMessage] {
        var events: [ServerToClientMessage] = []
        while let event = try client.nextEvent(timeout: 3) {
            events.append(event)
            if case .frameReady = event { return events }
        }
        Issue.record("no FrameReady; got \(events.map(\.messageType))")
        return events
    }

    private func release(_ client: DisplayClient, _ events: [ServerToClientMessage]) throws {
        for case .frameReady(let ready) in events {
            try client.send(.frameReleased(outputID: ready.outputID, bufferIndex: ready.bufferIndex, sequence: ready.sequence))
        }
    }

    @Test func aConsumerGetsTheCursorPlaneAsCursorImageAndFrameReadyCursorFields() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("pointer"))
        let output = producer.output.outputID
        producer.draw(0, seed: 3)
        try producer.presentAndWait(0)
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "watcher", timeout: 5)
        defer { consumer.close() }
        _ = try consumer.request(.subscribe(outputID: output))

        // No cursor yet: ScanoutBuffers, then FrameReady with the cursor hidden at 0, 0.
        var events = try eventsThroughFrameReady(consumer)
        #expect(events.map(\.messageType) == [.scanoutBuffers, .frameReady])
        for case .scanoutBuffers(let set) in events { for fd in set.fds { try? FileDescriptorHandle(adopting: fd).close() } }
        guard case .frameReady(let first)? = events.last else { return }
        #expect(first.flags == [] && first.cursorX == 0 && first.cursorY == 0)
        try release(consumer, events)

        // A 16×16 cursor at (10, 20): CursorImage with its pixels inline, then FrameReady saying so.
        let smallPixel = { (i: Int) -> UInt32 in 0xff00_0000 | UInt32(i) &* 0x010203 }
        let (_, small) = try cursorFramebuffer(producer, side: 16, pixel: smallPixel)
        try commit(producer, primary: 0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)], cursor: (small, 16), at: (10, 20))
        events = try eventsThroughFrameReady(consumer)
        #expect(events.map(\.messageType) == [.cursorImage, .frameReady])
        guard case .cursorImage(let image)? = events.first, case .frameReady(let shown)? = events.last else { return }
        if case .memfd = image.pixels { Issue.record("a 16×16 cursor fits inline") }
        let picture = try #require(try CursorPicture.read(image))
        #expect(picture == CursorPicture(width: 16, height: 16, hotspotX: 0, hotspotY: 0, argb: (0..<256).map(smallPixel)))
        #expect(shown.flags == [.cursorImageChanged, .cursorVisible])
        #expect(shown.cursorX == 10 && shown.cursorY == 20)
        try release(consumer, events)

        // Moved only: no CursorImage, the new position.
        try commit(producer, primary: 0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)], cursor: (small, 16), at: (30, 5))
        events = try eventsThroughFrameReady(consumer)
        #expect(events.map(\.messageType) == [.frameReady])
        guard case .frameReady(let moved)? = events.last else { return }
        #expect(moved.flags == .cursorVisible && moved.cursorX == 30 && moved.cursorY == 5)
        try release(consumer, events)

        // 200×200 does not fit a message: the pixels come in a sealed memfd.
        let bigPixel = { (i: Int) -> UInt32 in 0x8000_0000 | UInt32(i) }
        let (_, big) = try cursorFramebuffer(producer, side: 200, pixel: bigPixel)
        try commit(producer, primary: 0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)], cursor: (big, 200), at: (1, 2))
        events = try eventsThroughFrameReady(consumer)
        #expect(events.map(\.messageType) == [.cursorImage, .frameReady])
        guard case .cursorImage(let bigImage)? = events.first else { return }
        guard case .memfd = bigImage.pixels else { Issue.record("a 200×200 cursor came inline"); return }
        let bigPicture = try #require(try CursorPicture.read(bigImage))
        #expect(bigPicture.width == 200 && bigPicture.height == 200)
        #expect(bigPicture.argb == (0..<40_000).map(bigPixel))
        try release(consumer, events)

        // A second consumer subscribing now gets the cursor before its first FrameReady.
        let late = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "late", timeout: 5)
        defer { late.close() }
        _ = try late.request(.subscribe(outputID: output))
        let lateEvents = try eventsThroughFrameReady(late)
        #expect(lateEvents.map(\.messageType) == [.scanoutBuffers, .cursorImage, .frameReady])
        for event in lateEvents { for fd in event.fds { try? FileDescriptorHandle(adopting: fd).close() } }
        if case .frameReady(let lateFrame)? = lateEvents.last {
            #expect(lateFrame.flags == [.cursorImageChanged, .cursorVisible] && lateFrame.cursorX == 1 && lateFrame.cursorY == 2)
        }

        // The cursor plane off: a 0 × 0 CursorImage, and FrameReady with the cursor hidden.
        try commit(producer, primary: 0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)], cursor: nil)
        events = try eventsThroughFrameReady(consumer)
        #expect(events.map(\.messageType) == [.cursorImage, .frameReady])
        if case .cursorImage(let none)? = events.first {
            #expect(none.width == 0 && none.height == 0)
            #expect(try CursorPicture.read(none) == nil)
        }
        if case .frameReady(let hidden)? = events.last {
            #expect(hidden.flags == .cursorImageChanged && hidden.cursorX == 0 && hidden.cursorY == 0)
        }
    }

    @Test func aReleaseAfterSkippedFramesBringsTheNewestFrameAtOnce() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("still"))
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "holder", timeout: 5)
        defer { consumer.close() }
        _ = try consumer.request(.subscribe(outputID: producer.output.outputID))
        var held = try eventsThroughFrameReady(consumer)
        for case .scanoutBuffers(let set) in held { for fd in set.fds { try? FileDescriptorHandle(adopting: fd).close() } }
        // Frame 2 takes the second buffer; frames 3 and 4 find both held and are skipped.
        var lastFlip: UInt64 = 0
        for (index, seed) in [(1, 2), (0, 3), (1, 4)] as [(Int, UInt32)] {
            producer.draw(index, seed: seed)
            lastFlip = try producer.presentAndWait(index).sequence
            _ = producer.client.takeEvents { if case .release = $0 { return true } else { return false } }
        }
        held += try eventsThroughFrameReady(consumer)
        let frames = held.compactMap { event -> FrameReadyEvent? in if case .frameReady(let ready) = event { ready } else { nil } }
        #expect(frames.count == 2)
        #expect(try consumer.nextEvent(timeout: 0.3) == nil, "a FrameReady while every buffer is held")
        // No commit follows; releasing one buffer brings frame 4 into it at once.
        let released = try #require(frames.first)
        try consumer.send(.frameReleased(outputID: released.outputID, bufferIndex: released.bufferIndex, sequence: released.sequence))
        guard case .frameReady(let newest)? = try consumer.nextEvent(timeout: 2) else {
            Issue.record("no FrameReady after the release")
            return
        }
        #expect(newest.bufferIndex == released.bufferIndex)
        #expect(newest.sequence == lastFlip, "frame 4's sequence, as in its PageFlip")
        #expect(newest.damage == [WireRect(x: 0, y: 0, width: 64, height: 48)])
    }

    /// What a reading consumer saw while the producer ran.
    private final class ReaderLog: Sendable {
        let frames = Mutex<[UInt32]>([])
        let problems = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
    }

    /// Frame n's cursor colour, position, and 64×48 picture (the pattern, with n in pixel 0).
    private static func cursorColour(_ frame: Int) -> UInt32 { frame % 2 == 0 ? 0xff11_2233 : 0xff44_5566 }
    private static func cursorPosition(_ frame: Int) -> (Int32, Int32) { (Int32(frame % 40), Int32(frame % 30)) }
    private static func picture(_ frame: Int) -> [UInt32] {
        var pixels = (0..<48).flatMap { y in (0..<64).map { x in ProducerSetup.pattern(x: x, y: y, seed: UInt32(frame)) } }
        pixels[0] = UInt32(frame)
        // The recorder clears the X byte.
        return pixels.map { $0 & 0x00ff_ffff }
    }

    @Test func aConsumerThatNeverReadsCostsBoundedMemoryAndHoldsUpNobody() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        // 240 Hz, the fastest clock a server runs, so 1000 frames take about 4 s.
        let producer = try ProducerSetup(try fixture.producer("fast"), refreshMillihertz: 240_000)
        let output = producer.output.outputID
        // Two 64×64 cursors (16 KiB each, inline), swapped every frame: a CursorImage per frame
        // for every subscriber, which would pass the 1 MiB bound within 70 frames if queued.
        let colour = Self.cursorColour, position = Self.cursorPosition, expected = Self.picture
        let cursors = try [0, 1].map { parity in try cursorFramebuffer(producer, side: 64) { _ in colour(parity) } }
        func draw(_ frame: Int) {
            producer.buffers[frame % 2].withPixels { pixels in
                for i in pixels.indices { pixels[i] = ProducerSetup.pattern(x: i % 64, y: i / 64, seed: UInt32(frame)) }
                pixels[0] = UInt32(frame)
            }
        }
        draw(0)
        try commit(producer, primary: 0, damage: [], cursor: (cursors[0].1, 64), at: position(0))

        let stalled = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "stalled", timeout: 5)
        defer { stalled.close() }
        _ = try stalled.request(.subscribe(outputID: output))
        let stalledID = ClientID(stalled.welcome.clientID)

        // A consumer that reads and releases every frame, on its own thread; each frame it gets
        // must be one the producer drew, whole, with that frame's cursor.
        let lastFrame = 1000
        let readerClient = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "reader", timeout: 5)
        defer { readerClient.close() }
        let recorder = try FrameRecorder(client: readerClient, selector: "\(output)")
        let log = ReaderLog()
        nonisolated(unsafe) let unsafeRecorder = recorder
        DispatchQueue(label: "slow-client-tests.reader").async {
            defer { log.done.signal() }
            do {
                while true {
                    guard let frame = try unsafeRecorder.nextFrame(timeout: 20) else { return }
                    let number = Int(frame.pixels[0])
                    log.frames.withLock { $0.append(UInt32(number)) }
                    if frame.pixels != expected(number) { log.problems.withLock { $0.append("frame \(number): wrong picture") } }
                    let cursor = frame.cursor, (x, y) = position(number)
                    if cursor?.picture.argb.first != colour(number) || cursor?.x != Int(x) || cursor?.y != Int(y) {
                        log.problems.withLock { $0.append("frame \(number): cursor \(String(describing: cursor.map { ($0.x, $0.y, $0.picture.argb.first ?? 0) }))") }
                    }
                    if number == lastFrame { return }
                }
            } catch {
                log.problems.withLock { $0.append("reader: \(error)") }
            }
        }

        let start = monotonicSeconds()
        var sequences: [UInt64] = []
        for frame in 1...lastFrame {
            draw(frame)
            let flip = try commit(producer, primary: frame % 2, damage: [], cursor: (cursors[frame % 2].1, 64), at: position(frame))
            sequences.append(flip.sequence)
        }
        let elapsed = monotonicSeconds() - start
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })
        // 1000 flips at 240 Hz take about 4.2 s; missing a tick now and then on a loaded machine
        // doubles that at worst. A producer held up by the stalled consumer would time out.
        #expect(elapsed < 4 * Double(lastFrame) / 240, "1000 page flips took \(elapsed) s with a stalled consumer")

        #expect(log.done.wait(timeout: .now() + 30) == .success, "the reading consumer did not get the last frame")
        let received = log.frames.withLock { $0 }
        let problems = log.problems.withLock { $0 }
        #expect(problems.count == 0, "\(problems.prefix(10))")
        #expect(received.last == UInt32(lastFrame))
        #expect(zip(received, received.dropFirst()).allSatisfy { $0 < $1 })

        // The stalled consumer is still connected, and what waits for it is bounded: at most one
        // CursorImage in its outbox and a short channel backlog (the kernel's socket buffer holds
        // the rest).
        let state = try #require(fixture.server.queueState(of: stalledID), "the stalled consumer was disconnected")
        #expect(state.outboxMessages <= 1, "\(state)")
        #expect(state.outboxBytes == 0, "\(state)")
        #expect(state.channelBytes <= DeviceServer.channelBacklogBytes + 28 + 64 * 64 * 4, "\(state)")

        // When it reads at last, it finds the two frames it holds and the newest cursor image.
        var images: [CursorImageEvent] = []
        var ready = 0
        while let event = try stalled.nextEvent(timeout: 0.5) {
            if case .cursorImage(let image) = event { images.append(image) }
            if case .frameReady = event { ready += 1 }
            for fd in event.fds { try? FileDescriptorHandle(adopting: fd).close() }
        }
        #expect(ready == 2)
        #expect(images.count < lastFrame / 4, "\(images.count) CursorImage events were queued for a consumer that did not read")
        if let newest = images.last, case .inline(let bytes) = newest.pixels {
            let newestColour = colour(lastFrame)
            #expect(Array(bytes.prefix(4)) == (0..<4).map { UInt8(truncatingIfNeeded: newestColour >> (8 * $0)) },
                    "the last CursorImage is not frame \(lastFrame)'s")
        } else {
            Issue.record("no inline CursorImage reached the stalled consumer")
        }
        print("SlowClientTests: \(lastFrame) flips in \(elapsed) s; the reader got \(received.count) frames; the stalled consumer got \(images.count) CursorImage events; queue \(state)")
    }

    /// A burst toward a producer that reads loses nothing, although all of it may be routed in
    /// one block on the device's queue, where the channel's own flush cannot run: 3 000 keys are
    /// 84 kB, far more than the 16 KiB channel backlog plus the outbox's 256 events, so without
    /// writing to the socket from that block (`flushNow`) the oldest keys would be dropped.
    @Test func aKeyBurstTowardAReadingProducerReachesItWhole() throws {
        try withTypist(producerName: "busy") { fixture, producer, producerID, consumer in
            let burst = 3_000
            let keysyms = Mutex<[UInt32]>([])
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) let client = producer.client
            DispatchQueue.global().async {
                defer { done.signal() }
                while let event = try? client.nextEvent(timeout: 2) {
                    guard case .keyEvent(let key) = event else { continue }
                    if keysyms.withLock({ $0.append(key.keysym); return $0.count }) == burst { return }
                }
            }
            for keysym in 1...burst {
                try consumer.send(.keyInput(KeyInput(outputID: producer.output.outputID, keysym: UInt32(keysym), down: true)))
            }
            _ = try consumer.request(.listOutputs)
            #expect(done.wait(timeout: .now() + 30) == .success)
            let received = keysyms.withLock { $0 }
            #expect(received == (1...burst).map { UInt32($0) }, "\(received.count) of \(burst) keys arrived")
            let state = try #require(fixture.server.queueState(of: producerID), "the producer was disconnected")
            #expect(state.droppedEvents == 0, "\(state)")
        }
    }

    /// A device with a producer that reads only when the test says so, and a consumer that sends
    /// it input: the set-up of the input tests.
    private func withTypist(producerName: String,
                            _ body: (DeviceServerFixture, ProducerSetup, ClientID, DisplayClient) throws -> Void) throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer(producerName))
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "typist", timeout: 5)
        defer { consumer.close() }
        try body(fixture, producer, ClientID(producer.client.welcome.clientID), consumer)
    }

    @Test func anInputFloodTowardAProducerThatDoesNotReadStaysAt256QueuedEvents() throws {
        try withTypist(producerName: "deaf") { fixture, producer, producerID, consumer in
            let output = producer.output.outputID

            let flood = 10_000
            for keysym in 1...flood {
                try consumer.send(.keyInput(KeyInput(outputID: output, keysym: UInt32(keysym), down: keysym % 2 == 1)))
            }
            // Requests are handled in order: once ListOutputs is answered, every key was routed.
            _ = try consumer.request(.listOutputs)
            let state = try #require(fixture.server.queueState(of: producerID), "the producer was disconnected")
            #expect(state.outboxEvents == 256, "\(state)")
            #expect(state.outboxMessages == 256, "\(state)")
            #expect(state.channelBytes <= DeviceServer.channelBacklogBytes + 28, "\(state)")
            #expect(state.droppedEvents > 0)

            // The producer reads: the keys come in order, the newest kept, the oldest dropped.
            var keysyms: [UInt32] = []
            while let event = try producer.client.nextEvent(timeout: 0.5) {
                if case .keyEvent(let key) = event { keysyms.append(key.keysym) }
            }
            #expect(keysyms.count == flood - state.droppedEvents)
            #expect(keysyms.last == UInt32(flood))
            #expect(zip(keysyms, keysyms.dropFirst()).allSatisfy { $0 < $1 })

            // Pointer motion merges: 10_000 moves leave at most two events waiting (the first motion
            // that found the queue empty, and the merged rest), the last at the last position.
            for x in 1...flood {
                try consumer.send(.pointerInput(PointerInput(outputID: output, x: Int32(x), y: 7, buttons: 0)))
            }
            _ = try consumer.request(.listOutputs)
            let moved = try #require(fixture.server.queueState(of: producerID))
            #expect(moved.outboxEvents <= 2, "\(moved)")
            #expect(moved.droppedEvents == state.droppedEvents)
            var pointers: [PointerInput] = []
            while let event = try producer.client.nextEvent(timeout: 0.5) {
                if case .pointerEvent(let pointer) = event { pointers.append(pointer) }
            }
            #expect(pointers.last == PointerInput(outputID: output, x: Int32(flood), y: 7, buttons: 0))
            #expect(zip(pointers, pointers.dropFirst()).allSatisfy { $0.x < $1.x })
        }
    }

    @Test func aClientThatSendsRequestsButNeverReadsRepliesIsDisconnectedAtTheByteBound() throws {
        // Replies cannot be merged: past the bound (4 KiB here, 1 MiB by default) the client goes.
        let fixture = try DeviceServerFixture { $0.maximumQueuedBytesPerClient = 4096 }
        defer { fixture.close() }
        let bystander = try ProducerSetup(try fixture.producer("bystander"))
        let greedy = try DisplayClient(socketPath: fixture.server.socketPath, role: .producer, name: "greedy", timeout: 5)
        defer { greedy.close() }
        let greedyID = ClientID(greedy.welcome.clientID)
        var sent = 0
        do {
            for id in 1...20_000 as ClosedRange<UInt32> {
                try greedy.send(.listOutputs, requestID: id)
                sent += 1
            }
        } catch {
            // The server closed the connection while the requests were still coming.
        }
        var disconnected = false
        for _ in 0..<500 where !disconnected {
            disconnected = fixture.server.queueState(of: greedyID) == nil
            usleep(10_000)
        }
        #expect(disconnected, "a client with \(sent) unread replies is still connected")
        // Nobody else noticed.
        bystander.draw(0, seed: 5)
        try bystander.presentAndWait(0)
        #expect(shownFrame(fixture.server, output: bystander.output.outputID) == bystander.expectedFrame(seed: 5))
    }
}
