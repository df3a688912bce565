#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import SystemIO
import Testing

/// A consumer's scanout buffers get only what each lacks (docs/protocol.md §6.7, §7.19), yet stay
/// pixel-exact, and FrameReady still reports the damage since the frame the consumer last got.
@Suite struct ScanoutCopyTests {
    /// Random damage; the consumer holds buffers for random spans, one of them across many frames.
    /// Every FrameReady's buffer equals the picture of its frame; a held buffer is never written;
    /// the reported damage is exactly the union of the commits' damage since the previous FrameReady.
    @Test func buffersStayExactWhileTheConsumerHoldsThemAtRandom() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("random"))
        var scene = Scene(producer)
        try scene.commit(0, rect: nil)
        let consumer = try ScanoutConsumer(fixture, output: producer.output.outputID)
        var rng = UInt64(5)
        func rand(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
        var held: [FrameReadyEvent] = [], longHeld: FrameReadyEvent?
        var lastSeen: UInt64 = 0, received = 0
        func check(_ ready: FrameReadyEvent) {
            received += 1
            #expect(consumer.mismatches(ready, scene.picture(at: ready.sequence)) == 0, "buffer \(ready.bufferIndex) at frame \(ready.sequence)")
            if lastSeen > 0 {
                #expect(ready.damageRegion == scene.damage(after: lastSeen, through: ready.sequence), "damage of frame \(ready.sequence)")
            }
            lastSeen = ready.sequence
        }
        func release(_ ready: FrameReadyEvent) throws {
            // Never written while held.
            #expect(consumer.mismatches(ready, scene.picture(at: ready.sequence)) == 0, "held buffer \(ready.bufferIndex) was written")
            try consumer.release(ready)
        }
        for frame in 1...60 {
            let rect = Rect(x: rand(60), y: rand(44), width: 1 + rand(20), height: 1 + rand(16)).intersection(Rect(x: 0, y: 0, width: 64, height: 48))
            try scene.commit(frame % 2, rect: rect)
            while let ready = try consumer.nextFrameReady(timeout: 0.03) {
                check(ready)
                if longHeld == nil, frame >= 5 { longHeld = ready } else { held.append(ready) }
            }
            var kept: [FrameReadyEvent] = []
            for ready in held { if rand(2) == 0 { try release(ready) } else { kept.append(ready) } }
            held = kept
            // The long-held buffer goes back after about 40 frames.
            if frame == 45, let long = longHeld { try release(long) }
        }
        for ready in held { try release(ready) }
        #expect(longHeld.map { !consumer.isHeld($0) } == true, "no buffer was held across frames 5...45")
        while lastSeen < scene.lastSequence, let ready = try consumer.nextFrameReady(timeout: 2) {
            check(ready)
            try consumer.release(ready)
        }
        #expect(lastSeen == scene.lastSequence)
        #expect(received > 10)
    }

    /// The bytes copied per frame are the damaged area: the whole buffer once for each new buffer,
    /// then the damage; a buffer held across frames gets all their damage when it is written again.
    @Test func eachFrameCopiesOnlyTheDamage() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("counted"))
        var scene = Scene(producer)
        try scene.commit(0, rect: nil)
        let consumer = try ScanoutConsumer(fixture, output: producer.output.outputID)
        let whole = 64 * 48 * 4
        let first = try #require(try consumer.nextFrameReady(timeout: 5))
        #expect(consumer.bytesCopied() == whole)
        #expect(consumer.mismatches(first, scene.picture(at: first.sequence)) == 0)
        // The consumer holds `first` while frames go to the other buffer, released each time.
        let rects = [Rect(x: 3, y: 4, width: 10, height: 7), Rect(x: 40, y: 30, width: 20, height: 15),
                     Rect(x: 8, y: 6, width: 10, height: 10), Rect(x: 0, y: 47, width: 64, height: 1)]
        var copied = consumer.bytesCopied()
        for (number, rect) in rects.enumerated() {
            try scene.commit(number % 2 == 0 ? 1 : 0, rect: rect)
            let ready = try #require(try consumer.nextFrameReady(timeout: 5))
            #expect(ready.bufferIndex != first.bufferIndex)
            #expect(consumer.mismatches(ready, scene.picture(at: ready.sequence)) == 0)
            let delta = consumer.bytesCopied() - copied
            // The other buffer is new at the first frame: written whole, then only the damage.
            #expect(delta == (number == 0 ? whole : rect.area * 4), "frame \(number) copied \(delta) bytes")
            copied += delta
            // The last stays held, so that the next frame can only go into `first`, however late
            // the server reads its release.
            if number < rects.count - 1 { try consumer.release(ready) }
        }
        try consumer.release(first)
        let last = Rect(x: 30, y: 0, width: 5, height: 5)
        try scene.commit(0, rect: last)
        let ready = try #require(try consumer.nextFrameReady(timeout: 5))
        #expect(ready.bufferIndex == first.bufferIndex)
        #expect(consumer.mismatches(ready, scene.picture(at: ready.sequence)) == 0)
        let lacking = Region(rects: rects + [last])
        #expect(consumer.bytesCopied() - copied == lacking.area * 4)
        #expect(ready.damageRegion == Region(last))
    }
    /// A size change replaces the buffers (§7.18): the new ones are written whole, and the picture
    /// in them is the resized output's.
    @Test func aResizeWritesTheNewBuffersWhole() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("resized"))
        var scene = Scene(producer)
        try scene.commit(0, rect: nil)
        let consumer = try ScanoutConsumer(fixture, output: producer.output.outputID)
        let first = try #require(try consumer.nextFrameReady(timeout: 5))
        try consumer.release(first)
        let small = try ProducerBuffer(width: 32, height: 24)
        let colours = (0..<(32 * 24)).map { UInt32($0) &* 0x0001_0203 & 0x00ff_ffff }
        small.withPixels { pixels in for i in colours.indices { pixels[i] = colours[i] } }
        let framebuffer = try producer.client.createFramebuffer(small)
        let request = try producer.client.commit(CommitRequest(flags: .pageFlipEvent, outputs: [
            CommitOutputState(outputID: producer.output.outputID, changes: .mode, mode: WireMode(width: 32, height: 24, refreshMillihertz: 60_000)),
        ], planes: [
            CommitPlaneState(planeID: producer.output.primaryPlaneID, framebufferID: framebuffer,
                             source: WireFixedRect(x: 0, y: 0, width: 32 << 16, height: 24 << 16),
                             destination: WireRect(x: 0, y: 0, width: 32, height: 24)),
        ]))
        _ = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        let ready = try #require(try consumer.nextFrameReady(timeout: 5))
        #expect(consumer.mismatches(ready, colours) == 0)
        // A new subscription object counts from 0: one whole 32 × 24 buffer.
        #expect(consumer.bytesCopied() == 32 * 24 * 4)
    }
}

/// The producer's side: a picture changed by one random-coloured rect per commit, the pictures by
/// frame sequence, and each frame's damage.
private struct Scene {
    let producer: ProducerSetup
    private var current: [UInt32]
    private var history: [(sequence: UInt64, picture: [UInt32], damage: Region)] = []
    private var colour: UInt32 = 0x0010_2030

    init(_ producer: ProducerSetup) {
        self.producer = producer
        current = producer.expectedFrame(seed: 1)
    }

    var lastSequence: UInt64 { history.last?.sequence ?? 0 }

    /// Fills `rect` (nil: the whole first picture) and commits the picture from buffer `index`.
    mutating func commit(_ index: Int, rect: Rect?) throws {
        let width = Int(producer.width)
        var damage: [WireRect] = []
        if let rect {
            colour = (colour &* 1_103_515_245 &+ 12_345) & 0x00ff_ffff
            for y in rect.minY..<rect.maxY { for x in rect.minX..<rect.maxX { current[y * width + x] = colour } }
            damage = [WireRect(x: Int32(rect.x), y: Int32(rect.y), width: UInt32(rect.width), height: UInt32(rect.height))]
        }
        let picture = current
        producer.buffers[index].withPixels { pixels in for i in picture.indices { pixels[i] = picture[i] } }
        let flip = try producer.presentAndWait(index, damage: damage)
        history.append((flip.sequence, picture, rect.map { Region($0) } ?? Region(Rect(x: 0, y: 0, width: width, height: Int(producer.height)))))
    }

    /// The picture shown at `sequence`: that of the newest commit at or before it.
    func picture(at sequence: UInt64) -> [UInt32]? {
        history.last { $0.sequence <= sequence }?.picture
    }

    func damage(after first: UInt64, through last: UInt64) -> Region {
        history.filter { $0.sequence > first && $0.sequence <= last }.reduce(into: Region()) { $0.formUnion($1.damage) }
    }
}

/// A consumer that maps its scanout buffers read-only and keeps FrameReady events for the test.
private final class ScanoutConsumer {
    let fixture: DeviceServerFixture
    let output: UInt32
    let client: DisplayClient
    private var mappings: [SharedMemoryMapping] = []
    private var held: Set<UInt64> = []

    init(_ fixture: DeviceServerFixture, output: UInt32) throws {
        self.fixture = fixture
        self.output = output
        client = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "scanout", timeout: 5)
        let reply = try client.request(.subscribe(outputID: output))
        #expect(reply == .subscribed(outputID: output))
    }

    /// The next FrameReady, adopting any ScanoutBuffers on the way; nil when none came in time.
    func nextFrameReady(timeout: Double) throws -> FrameReadyEvent? {
        while let event = try client.nextEvent(timeout: timeout) {
            switch event {
            case .scanoutBuffers(let set):
                let handles = set.fds.map { FileDescriptorHandle(adopting: $0) }
                defer { for handle in handles { try? handle.close() } }
                mappings = try handles.map { try SharedMemoryMapping(fd: $0, length: Int(set.bufferSize), access: .readOnly) }
            case .frameReady(let ready):
                held.insert(ready.sequence)
                return ready
            default:
                for fd in event.fds { try? FileDescriptorHandle(adopting: fd).close() }
            }
        }
        return nil
    }

    func pixels(of ready: FrameReadyEvent) -> [UInt32]? {
        guard mappings.indices.contains(Int(ready.bufferIndex)) else { return nil }
        return Array(mappings[Int(ready.bufferIndex)].bytes.bindMemory(to: UInt32.self))
    }

    /// Pixels of `ready`'s buffer that differ from `expected` (all of them when either is missing).
    func mismatches(_ ready: FrameReadyEvent, _ expected: [UInt32]?) -> Int {
        guard let pixels = pixels(of: ready), let expected, pixels.count == expected.count else { return Int.max }
        return zip(pixels, expected).reduce(0) { $0 + ($1.0 == $1.1 ? 0 : 1) }
    }

    func isHeld(_ ready: FrameReadyEvent) -> Bool { held.contains(ready.sequence) }

    func release(_ ready: FrameReadyEvent) throws {
        held.remove(ready.sequence)
        try client.send(.frameReleased(outputID: output, bufferIndex: ready.bufferIndex, sequence: ready.sequence))
    }

    /// The server's count of bytes copied into this consumer's buffers.
    func bytesCopied() -> Int {
        let server = fixture.server, id = OutputID(output)
        return server.thread.sync { server.clients.values.compactMap { $0.subscriptions[id]?.bytesCopied }.reduce(0, +) }
    }
}

extension FrameReadyEvent {
    var damageRegion: Region {
        damage.reduce(into: Region()) { $0.formUnion(Rect(x: Int($1.x), y: Int($1.y), width: Int($1.width), height: Int($1.height))) }
    }
}
