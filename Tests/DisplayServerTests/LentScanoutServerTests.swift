#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import Pixels
import PortholeClient
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
}
