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

/// Leases between producers, consumers that fall behind, and the grace period of a producer that
/// went away (docs/protocol.md §4.2, §7.19, §12), over real sockets and frame clocks.
@Suite struct LeaseAndPacingTests {
    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The error `body` throws, nil when it succeeds.
    private func refusal(_ body: () throws -> Void) -> DisplayClientError? {
        do {
            try body()
            return nil
        } catch {
            return error as? DisplayClientError
        }
    }

    /// Polls `condition` for up to `seconds`.
    private func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        for _ in 0..<Int(seconds * 100) {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func twoProducersSeeOnlyTheirOwnOutputsAndCannotCommitToTheOthersPlanes() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let first = try ProducerSetup(try fixture.producer("first"))
        let second = try ProducerSetup(try fixture.producer("second"))

        for producer in [first, second] {
            let reply = try producer.client.request(.listOutputs)
            guard case .outputs(let listings) = reply else { Issue.record("expected Outputs, got \(reply)"); return }
            #expect(listings.map(\.outputID) == [producer.output.outputID])
        }

        // The second producer's framebuffer on the first one's primary plane: no such object (§9 code 2).
        let onOthersPlane = refusal {
            try second.client.present(framebuffer: second.framebuffers[0], width: 64, height: 48, on: first.output.primaryPlaneID)
        }
        guard case .commitRejected(let planeReport)? = onOthersPlane else {
            Issue.record("a commit to another producer's plane was not rejected: \(String(describing: onOthersPlane))")
            return
        }
        #expect(planeReport.code == .noSuchObject)
        #expect(planeReport.detail == first.output.primaryPlaneID)
        // Its own plane with the first producer's framebuffer: no such object either.
        let othersFramebuffer = refusal {
            try second.client.present(framebuffer: first.framebuffers[0], width: 64, height: 48, on: second.output.primaryPlaneID)
        }
        guard case .commitRejected(let framebufferReport)? = othersFramebuffer else {
            Issue.record("a commit of another producer's framebuffer was not rejected: \(String(describing: othersFramebuffer))")
            return
        }
        #expect(framebufferReport.code == .noSuchObject)
        // Destroying the other's output is refused the same way, and both keep working.
        let destroy = refusal { _ = try second.client.request(.destroyOutput(outputID: first.output.outputID)) }
        guard case .server(let destroyReport)? = destroy else {
            Issue.record("DestroyOutput of another producer's output was not refused: \(String(describing: destroy))")
            return
        }
        #expect(destroyReport.code == .noSuchObject)
        first.draw(0, seed: 21)
        try first.presentAndWait(0)
        second.draw(0, seed: 22)
        try second.presentAndWait(0)
        #expect(shownFrame(fixture.server, output: first.output.outputID) == first.expectedFrame(seed: 21))
        #expect(shownFrame(fixture.server, output: second.output.outputID) == second.expectedFrame(seed: 22))
    }

    @Test func aConsumerThatNeverReadsNeitherSlowsTheProducerNorLosesDamage() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("steady"))
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "stalled", timeout: 5)
        defer { consumer.close() }
        _ = try consumer.request(.subscribe(outputID: producer.output.outputID))

        // 60 frames at the output's 60 Hz while the consumer reads nothing and releases nothing.
        // Each frame damages one pixel of its own column.
        let frames = 60
        let start = monotonicSeconds()
        var sequences: [UInt64] = []
        for frame in 0..<frames {
            let index = (frame + 1) % 2
            producer.buffers[index].withPixels { pixels in
                for i in pixels.indices { pixels[i] = ProducerSetup.pattern(x: i % 64, y: i / 64, seed: 1) }
                pixels[frame % 48 * 64 + frame % 64] = 0x00ff_ffff
            }
            let flip = try producer.presentAndWait(index, damage: [WireRect(x: Int32(frame % 64), y: Int32(frame % 48), width: 1, height: 1)])
            sequences.append(flip.sequence)
            // Release of the other buffer comes with the flip; drain it so the next draw is allowed.
            _ = producer.client.takeEvents { if case .release = $0 { return true } else { return false } }
        }
        let elapsed = monotonicSeconds() - start
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 }, "flip sequences: \(sequences)")
        // 60 flips at 60 Hz take about a second; a producer held up by the consumer would time out.
        #expect(elapsed < 4, "60 page flips took \(elapsed) s with a stalled consumer")

        // The consumer got ScanoutBuffers and FrameReady for two buffers, then nothing while it
        // held both; releasing one brings the next frame with every skipped damage merged.
        var ready: [FrameReadyEvent] = []
        while let event = try consumer.nextEvent(timeout: 0.3) {
            if case .frameReady(let frame) = event { ready.append(frame) }
            if case .scanoutBuffers(let set) = event { for fd in set.fds { try? FileDescriptorHandle(adopting: fd).close() } }
        }
        #expect(ready.count == 2, "FrameReady while holding every buffer: \(ready.map(\.sequence))")
        guard let held = ready.first else { return }
        try consumer.send(.frameReleased(outputID: producer.output.outputID, bufferIndex: held.bufferIndex, sequence: held.sequence))
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0, damage: [WireRect(x: 0, y: 0, width: 1, height: 1)])
        var merged: FrameReadyEvent?
        while merged == nil, let event = try consumer.nextEvent(timeout: 2) {
            if case .frameReady(let frame) = event { merged = frame }
        }
        let frame = try #require(merged, "no FrameReady after a release")
        #expect(frame.bufferIndex == held.bufferIndex)
        let region = frame.damage.reduce(into: Region()) { $0.formUnion(Rect(x: Int($1.x), y: Int($1.y), width: Int($1.width), height: Int($1.height))) }
        // Frames 1...59 were skipped: each of their pixels is in the merged damage.
        for skipped in 1..<frames {
            #expect(region.contains(Point(x: skipped % 64, y: skipped % 48)), "frame \(skipped)'s damage is missing from \(frame.damage)")
        }
    }

    @Test func aDisconnectedProducersOutputStaysForTheGracePeriodThenTheCardReturns() throws {
        let fixture = try DeviceServerFixture { $0.limits.gracePeriodNanoseconds = 700_000_000 }
        defer { fixture.close() }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 200, height: 80))
        let card = source.frame
        let producer = try ProducerSetup(try fixture.producer("leaving"))
        producer.draw(0, seed: 31)
        try producer.presentAndWait(0)
        #expect(eventually { source.shownOutput == OutputID(producer.output.outputID) })
        _ = source.advance(to: 0)
        #expect(source.frame.pixels == producer.expectedFrame(seed: 31))

        let gone = monotonicSeconds()
        producer.client.close()
        // Within the grace period the last frame stays up.
        usleep(300_000)
        #expect(source.shownOutput == OutputID(producer.output.outputID))
        #expect(source.advance(to: 1).region.isEmpty)
        #expect(source.frame.pixels == producer.expectedFrame(seed: 31))
        // Then the output is removed and viewers get the card back, whole and at its own size:
        // the RFB server turns a frame of another size into DesktopSize/ExtendedDesktopSize.
        #expect(eventually(5) { source.shownOutput == nil })
        #expect(monotonicSeconds() - gone >= 0.65, "removed before the grace period ended")
        let damage = source.advance(to: 2)
        #expect(source.frame == card)
        #expect(damage.region == Region(Rect(size: card.size)))
    }
}
