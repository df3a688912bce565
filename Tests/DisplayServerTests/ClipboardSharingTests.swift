#if canImport(Glibc)
import Glibc
#endif
import Capture
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import Testing

/// The clipboard between a device output's RFB side (`ClipboardSharing`, which `LiveOutput`
/// drives) and its producer: SetClipboardText (docs/protocol.md §5.10) reaches viewers, a viewer's
/// clipboard reaches the producer as ClipboardText (§7.14).
@Suite struct ClipboardSharingTests {
    private func eventually(_ condition: () -> String?) -> String? {
        for _ in 0..<500 {
            if let value = condition() { return value }
            usleep(10_000)
        }
        return condition()
    }

    @Test func theProducersClipboardReachesTheOutputsSources() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let primary = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 100, height: 40))
        let producer = try ProducerSetup(try fixture.producer("copier"))
        producer.draw(0, seed: 5)
        try producer.presentAndWait(0)
        #expect(primary.takeClipboardChange() == nil)

        try producer.client.send(.setClipboardText(outputID: producer.output.outputID, text: "from the producer: hé"), requestID: 7)
        #expect(eventually { primary.takeClipboardChange() } == "from the producer: hé")
        #expect(primary.takeClipboardChange() == nil, "a change is handed out once")

        // Output 0 means all the producer's outputs; the newest text wins.
        try producer.client.send(.setClipboardText(outputID: 0, text: "first"), requestID: 8)
        try producer.client.send(.setClipboardText(outputID: 0, text: "second"), requestID: 9)
        let source = try #require(fixture.server.outputSource(for: OutputID(producer.output.outputID)))
        #expect(eventually { source.takeClipboardChange().flatMap { $0 == "first" ? nil : $0 } } == "second")
    }

    @Test func aViewersClipboardReachesTheProducer() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let primary = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 100, height: 40))
        primary.setClipboard("nobody hears this: the card shows")
        let producer = try ProducerSetup(try fixture.producer("pasted-into"))
        producer.draw(0, seed: 6)
        try producer.presentAndWait(0)
        _ = primary.advance(to: 0)

        primary.setClipboard("from a viewer: ünïcode")
        var received: [(UInt32, String)] = []
        while received.isEmpty, let event = try producer.client.nextEvent(timeout: 2) {
            if case .clipboardText(let output, let text) = event { received.append((output, text)) }
        }
        #expect(received.count == 1)
        #expect(received.first?.0 == producer.output.outputID)
        #expect(received.first?.1 == "from a viewer: ünïcode")
    }
}
