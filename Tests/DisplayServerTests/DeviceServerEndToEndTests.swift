#if canImport(Glibc)
import Glibc
#endif
import Display
import Geometry
import DisplayProtocol
@testable import DisplayServer
import PortholeClient
import SystemIO
import Testing

/// A producer process's view: SystemIO + DisplayProtocol over a real Unix socket, real sealed
/// memfds, real frame ticks.
@Suite struct DeviceServerEndToEndTests {
    @Test func aCommittedMemfdFramebufferReachesTheScanoutPixelForPixel() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("e2e"))
        #expect(producer.client.welcome.maximumMessageSize == 65536)
        producer.draw(0, seed: 7)
        let flip = try producer.presentAndWait(0, damage: [WireRect(x: 0, y: 0, width: 64, height: 48)])
        #expect(flip.outputID == producer.output.outputID)
        #expect(flip.sequence > 0)
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 7))
    }

    @Test func aSecondCommitOfAnotherBufferReleasesTheFirst() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("double-buffered"))
        producer.draw(0, seed: 1)
        try producer.presentAndWait(0)
        producer.draw(1, seed: 2)
        try producer.presentAndWait(1, damage: [WireRect(x: 0, y: 0, width: 64, height: 48)])
        var released: [UInt32] = []
        while let event = try producer.client.nextEvent(timeout: 1) {
            if case .release(let id) = event { released.append(id); break }
        }
        #expect(released == [producer.framebuffers[0]])
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 2))
    }

    @Test func partialDamageUpdatesOnlyWhatChangedAndTheSourceReportsIt() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("damage"))
        producer.draw(0, seed: 3)
        try producer.presentAndWait(0)
        let source = try #require(fixture.server.outputSource(for: OutputID(producer.output.outputID)))
        _ = source.advance(to: 0)
        producer.draw(1, seed: 3)
        producer.buffers[1].withPixels { $0[10 * 64 + 20] = 0x00ff_0000 }
        try producer.presentAndWait(1, damage: [WireRect(x: 20, y: 10, width: 1, height: 1)])
        let damage = source.advance(to: 1)
        // Another framebuffer in the same place with damage is frame damage (§5.8): only that pixel.
        #expect(damage.region == Region(Rect(x: 20, y: 10, width: 1, height: 1)))
        var expected = producer.expectedFrame(seed: 3)
        expected[10 * 64 + 20] = 0x00ff_0000
        #expect(source.frame.pixels == expected)
    }

    @Test func theFlipEventFDIsSignalledAtEveryFlip() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("eventfd"))
        let eventFD = try EventFD.create(nonblocking: true)
        try producer.client.setFlipEventFD(eventFD)
        producer.draw(0, seed: 4)
        try producer.presentAndWait(0)
        #expect(try eventFD.read() == 1)
    }

    @Test func listOutputsShowsTheProducersOutput() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("lister"))
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "viewer", timeout: 5)
        let reply = try consumer.request(.listOutputs)
        guard case .outputs(let listings) = reply else { Issue.record("expected Outputs, got \(reply)"); return }
        #expect(listings.map(\.outputID) == [producer.output.outputID])
        #expect(listings.first?.ownerName == "lister")
        #expect(listings.first?.ownerConnected == true)
        #expect(listings.first?.mode == WireMode(width: 64, height: 48, refreshMillihertz: 60_000))
    }

    @Test func consumerInputReachesTheOwningProducer() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("input"))
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "viewer", timeout: 5)
        let key = KeyInput(outputID: producer.output.outputID, keysym: 0x61, scancode: 30, down: true)
        try consumer.send(.keyInput(key), requestID: 9)
        let event = try producer.client.nextEvent(timeout: 5)
        #expect(event == .keyEvent(key))
    }

    @Test func aViewerResizeBecomesALayoutRequestToTheProducer() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("layout"))
        let source = try #require(fixture.server.outputSource(for: OutputID(producer.output.outputID)))
        let damage = source.resize(to: Size(width: 80, height: 60))
        #expect(damage.isEmpty)
        #expect(source.frame.size == Size(width: 64, height: 48))
        let event = try producer.client.nextEvent(timeout: 5)
        #expect(event == .layoutRequest([OutputLayoutEntry(outputID: producer.output.outputID, width: 80, height: 60, x: 0, y: 0)]))
    }

    @Test func aConsumerSubscriptionGetsTheScanoutInAMemfd() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("subscribed"))
        producer.draw(0, seed: 9)
        try producer.presentAndWait(0)
        let consumer = try DisplayClient(socketPath: fixture.server.socketPath, role: .consumer, name: "recorder", timeout: 5)
        let reply = try consumer.request(.subscribe(outputID: producer.output.outputID))
        #expect(reply == .subscribed(outputID: producer.output.outputID))
        guard case .scanoutBuffers(let buffers) = try consumer.nextEvent(timeout: 5) else { Issue.record("no ScanoutBuffers"); return }
        let handles = buffers.fds.map { FileDescriptorHandle(adopting: $0) }
        #expect(buffers.width == 64 && buffers.height == 48 && buffers.stride == 256)
        guard case .frameReady(let ready) = try consumer.nextEvent(timeout: 5) else { Issue.record("no FrameReady"); return }
        #expect(ready.damage == [WireRect(x: 0, y: 0, width: 64, height: 48)])
        let mapping = try SharedMemoryMapping(fd: handles[Int(ready.bufferIndex)], length: Int(buffers.bufferSize), access: .readOnly)
        let pixels = Array(mapping.bytes.bindMemory(to: UInt32.self))
        #expect(pixels == producer.expectedFrame(seed: 9))
    }
}

@Suite struct LeaseReconnectionTests {
    /// §4.1, §12: a producer that reconnects with its lease token within the grace period owns
    /// its output again; its framebuffers are gone, so it makes new ones.
    @Test func aReconnectingProducerTakesItsOutputBack() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let first = try ProducerSetup(try fixture.producer("vm1"))
        first.draw(0, seed: 13)
        try first.presentAndWait(0)
        let token = first.client.welcome.leaseToken
        first.client.close()
        // The output keeps its last frame while nobody owns it.
        #expect(shownFrame(fixture.server, output: first.output.outputID) == first.expectedFrame(seed: 13))
        var again: DisplayClient?
        for _ in 0..<100 where again == nil {
            // The server may not have noticed the disconnection yet: the token is then still in use
            // and the producer gets a fresh lease; close it and try again.
            let client = try DisplayClient(socketPath: fixture.server.socketPath, role: .producer, name: "vm1", leaseToken: token, timeout: 5)
            if client.welcome.leaseToken == token { again = client } else { client.close(); usleep(10_000) }
        }
        let client = try #require(again)
        let reply = try client.request(.listOutputs)
        #expect(reply.outputIDs == [first.output.outputID])
        let buffer = try ProducerBuffer(width: 64, height: 48)
        buffer.withPixels { pixels in for i in pixels.indices { pixels[i] = 0x0012_3456 } }
        let framebuffer = try client.createFramebuffer(buffer)
        let request = try client.present(framebuffer: framebuffer, width: 64, height: 48, on: first.output.primaryPlaneID)
        _ = try client.waitForPageFlip(output: first.output.outputID, commitRequestID: request)
        #expect(shownFrame(fixture.server, output: first.output.outputID) == Array(repeating: 0x0012_3456, count: 64 * 48))
    }
}

extension ServerToClientMessage {
    var outputIDs: [UInt32]? {
        if case .outputs(let listings) = self { return listings.map(\.outputID) }
        return nil
    }
}
