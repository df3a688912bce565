#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import Pixels
import PortholeClient
import Server
import Testing

/// Zero-copy scanout through the real server: a memfd framebuffer whose frame redraws enough is
/// shown as it is, and its Release waits until the last copy of that picture is gone, because
/// from the Release on the producer may draw into it (docs/protocol.md §11).
@Suite struct LentScanoutServerTests {
    /// 320x240: a whole frame is more than `Composer.minimumLentArea`.
    static let width: UInt32 = 320, height: UInt32 = 240

    /// The Releases that arrive before `seconds` pass without any event.
    func releases(of producer: ProducerSetup, within seconds: Double) throws -> [UInt32] {
        var released = producer.client.takeEvents { if case .release = $0 { return true } else { return false } }
            .compactMap { event -> UInt32? in if case .release(let id) = event { return id } else { return nil } }
        while let event = try producer.client.nextEvent(timeout: seconds) {
            if case .release(let id) = event { released.append(id) }
        }
        return released
    }

    @Test func aReleaseWaitsForTheLastCopyOfTheLentPicture() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("lender"), width: Self.width, height: Self.height)
        let whole = [WireRect(x: 0, y: 0, width: Self.width, height: Self.height)]
        let source = try #require(fixture.server.outputSource(for: OutputID(producer.output.outputID)))
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        #expect(!source.latestFrame.isBorrowed, "a first frame is drawn")
        producer.draw(1, seed: 2)
        try producer.presentAndWait(1, damage: whole)
        #expect(try releases(of: producer, within: 1).contains(producer.framebuffers[0]), "buffer 0 was copied, never lent")
        var held: PixelBuffer? = source.latestFrame
        #expect(held?.isBorrowed == true)
        #expect(held?.pixels == producer.expectedFrame(seed: 2).map { $0 & 0x00ff_ffff })
        producer.draw(0, seed: 3)
        try producer.presentAndWait(0, damage: whole)
        #expect(source.latestFrame.pixels == producer.expectedFrame(seed: 3).map { $0 & 0x00ff_ffff })
        #expect(try releases(of: producer, within: 0.5).isEmpty, "buffer 1 is off screen but still read")
        held = nil
        #expect(held == nil)
        #expect(try releases(of: producer, within: 2) == [producer.framebuffers[1]])
    }

    /// When the flip that takes a lent buffer off screen also drops the last copy of its picture
    /// (nothing but the output's source held it), its Release goes out with that commit's
    /// CommitAccepted and PageFlip in one sendmsg, rather than in one of its own after them.
    @Test func aReleaseFreedByItsFlipGoesOutWithTheReply() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("lender-flip"), width: Self.width, height: Self.height)
        let whole = [WireRect(x: 0, y: 0, width: Self.width, height: Self.height)]
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        producer.draw(1, seed: 2)
        try producer.presentAndWait(1, damage: whole)
        _ = try releases(of: producer, within: 0.3)
        let server = fixture.server
        func writeCalls() -> Int { server.eventThread.sync { server.clients.values.map(\.channel.writeCalls).reduce(0, +) } }
        for (frame, index) in [0, 1, 0, 1].enumerated() {
            producer.draw(index, seed: UInt32(frame + 3))
            // A commit after a whole idle interval (60 Hz) flips at once, while it is handled.
            usleep(50_000)
            let before = writeCalls()
            try producer.presentAndWait(index, damage: whole)
            let released = try releases(of: producer, within: 0.1)
            #expect(released == [producer.framebuffers[1 - index]], "frame \(frame)")
            #expect(writeCalls() - before == 1, "frame \(frame): CommitAccepted, PageFlip and Release in one write")
        }
    }

    /// A viewer of the output sees every frame exactly while frames alternate between two lent
    /// buffers, the source, `LiveOutput` and the viewer's loop each holding lent pictures, and the
    /// producer draws into a buffer only once its Release came, as §11 asks.
    @Test func aViewerSeesEveryLentFrameExactly() async throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: Int(Self.width), height: Int(Self.height)))
        let producer = try ProducerSetup(try fixture.producer("lender-viewed"), width: Self.width, height: Self.height)
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        let rfb = try await TestRFBServing.start(source, label: "lent-scanout-test")
        let viewer = try RawRFBViewer(port: rfb.boundAddress.port)
        try viewer.handshake()
        try viewer.requestUpdate(incremental: false)
        _ = try viewer.readUpdate()

        var released: Set<UInt32> = []
        func waitForRelease(of index: Int) throws {
            let id = producer.framebuffers[index]
            while !released.contains(id) {
                guard let event = try producer.client.nextEvent(timeout: 5) else {
                    Issue.record("no Release of buffer \(index)")
                    return
                }
                if case .release(let other) = event { released.insert(other) }
            }
            released.remove(id)
        }
        released.insert(producer.framebuffers[1])
        for frame in 2...13 {
            let index = (frame - 1) % 2
            try waitForRelease(of: index)
            producer.draw(index, seed: UInt32(frame))
            // Whole frames, lent; every fourth only a band (drawn, and catching up).
            let damage = frame % 4 == 0 ? [WireRect(x: 0, y: 100, width: Self.width, height: 20)]
                                        : [WireRect(x: 0, y: 0, width: Self.width, height: Self.height)]
            if frame % 4 == 0 {
                // Only the band changes: the rest of the buffer shows the previous frame.
                producer.draw(index, seed: UInt32(frame - 1))
                producer.buffers[index].withPixels { pixels in
                    for y in 100..<120 {
                        for x in 0..<Int(Self.width) { pixels[y * Int(Self.width) + x] = ProducerSetup.pattern(x: x, y: y, seed: UInt32(frame)) }
                    }
                }
            }
            try producer.presentAndWait(index, damage: damage)
            var expected = producer.expectedFrame(seed: UInt32(frame % 4 == 0 ? frame - 1 : frame))
            if frame % 4 == 0 {
                for y in 100..<120 {
                    for x in 0..<Int(Self.width) { expected[y * Int(Self.width) + x] = ProducerSetup.pattern(x: x, y: y, seed: UInt32(frame)) }
                }
            }
            expected = expected.map { $0 & 0x00ff_ffff }
            for _ in 0..<20 where viewer.pixels != expected {
                try viewer.requestUpdate(incremental: true)
                _ = try viewer.readUpdate()
            }
            #expect(viewer.pixels == expected, "frame \(frame)")
            if viewer.pixels != expected { break }
        }
        await rfb.stop()
    }
}
