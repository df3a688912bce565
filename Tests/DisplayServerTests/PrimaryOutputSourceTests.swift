#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import Synchronization
import Testing

/// `porthole serve --device`'s RFB side: the waiting card, the switch to the first output, and a
/// viewer's resize travelling to a real producer (`PatternProducer`) and back as a new frame size.
@Suite struct PrimaryOutputSourceTests {
    /// Polls `condition` for up to five seconds.
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func showsTheWaitingCardThenTheFirstOutput() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 320, height: 100))
        #expect(source.frame.size == Size(width: 320, height: 100))
        #expect(Set(source.frame.pixels).count > 1, "the card has text on it")
        _ = source.advance(to: 0)
        let producer = try ProducerSetup(try fixture.producer("first"))
        producer.draw(0, seed: 12)
        try producer.presentAndWait(0)
        #expect(eventually { source.shownOutput == OutputID(producer.output.outputID) })
        let damage = source.advance(to: 1)
        #expect(damage.region == Region(Rect(x: 0, y: 0, width: 64, height: 48)))
        #expect(source.frame.pixels == producer.expectedFrame(seed: 12))
        // A second output does not take over.
        let second = try ProducerSetup(try fixture.producer("second"))
        _ = second
        #expect(source.shownOutput == OutputID(producer.output.outputID))
    }

    @Test func aViewerResizeReachesThePatternProducerAndComesBackResized() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let path = fixture.server.socketPath
        let outcome = Mutex<String?>(nil)
        DispatchQueue.global().async {
            do {
                let client = try DisplayClient(socketPath: path, role: .producer, name: "pattern", timeout: 5)
                let producer = try PatternProducer(client: client, name: "P-1", width: 96, height: 64, refreshMillihertz: 120_000)
                try producer.run(frameCount: 0)
                outcome.withLock { $0 = "ended" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 100, height: 50))
        #expect(eventually { _ = source.advance(to: 0); return source.frame.size == Size(width: 96, height: 64) })
        _ = source.resize(to: Size(width: 128, height: 80))
        #expect(eventually { _ = source.advance(to: 0); return source.frame.size == Size(width: 128, height: 80) })
        // The pattern's gradient reaches the new right edge.
        let frame = source.frame
        #expect(frame[127, 0] >> 16 == 0xff)
        #expect(outcome.withLock { $0 } == nil, "the producer stopped: \(outcome.withLock { $0 } ?? "")")
    }
}
