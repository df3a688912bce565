#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import PortholeClient
import SystemIO
import Testing

/// The copy path (docs/protocol.md §11) over a real socket, real sealed memfds and real frame
/// ticks: the Release comes with the PageFlip of the commit that showed the buffer, the screen
/// keeps the picture of commit time whatever the producer draws next, and only the damage is
/// copied.
@Suite struct CopyPathServerTests {
    static let width: UInt32 = 64, height: UInt32 = 48

    /// A producer with one output and one copy-path framebuffer.
    struct CopyProducer {
        let setup: ProducerSetup
        let buffer: ProducerBuffer
        let framebuffer: UInt32

        init(_ client: DisplayClient) throws {
            setup = try ProducerSetup(client, width: CopyPathServerTests.width, height: CopyPathServerTests.height)
            buffer = try ProducerBuffer(width: CopyPathServerTests.width, height: CopyPathServerTests.height)
            framebuffer = try client.createFramebuffer(buffer, copy: true)
        }

        func draw(seed: UInt32) {
            let width = Int(CopyPathServerTests.width)
            buffer.withPixels { pixels in
                for y in 0..<Int(CopyPathServerTests.height) {
                    for x in 0..<width { pixels[y * width + x] = ProducerSetup.pattern(x: x, y: y, seed: seed) }
                }
            }
        }

        /// Commits the copy framebuffer on the primary plane and waits for its PageFlip.
        func present(damage: [WireRect] = [], zpos: UInt16 = 0) throws {
            let plane = CommitPlaneState(planeID: setup.output.primaryPlaneID, framebufferID: framebuffer,
                                         source: WireFixedRect(x: 0, y: 0, width: CopyPathServerTests.width << 16,
                                                               height: CopyPathServerTests.height << 16),
                                         destination: WireRect(x: 0, y: 0, width: CopyPathServerTests.width, height: CopyPathServerTests.height),
                                         zpos: zpos, damage: damage)
            let request = try setup.client.commit(CommitRequest(flags: .pageFlipEvent, planes: [plane]))
            _ = try setup.client.waitForPageFlip(output: setup.output.outputID, commitRequestID: request)
        }

        /// The Release of the copy framebuffer, which the server sends right after the PageFlip.
        func expectRelease() throws {
            let event = try setup.client.nextEvent(timeout: 0.5)
            guard case .release(let id)? = event else {
                Issue.record("expected a Release right after the PageFlip, got \(String(describing: event))")
                return
            }
            #expect(id == framebuffer)
        }
    }

    @Test func releaseArrivesWithThePageFlipAndLaterDrawingDoesNotReachTheScreen() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try CopyProducer(try fixture.producer("copy"))
        #expect(producer.setup.client.welcome.version == DisplayProtocolVersion(major: 1, minor: 2))
        producer.draw(seed: 1)
        try producer.present()
        try producer.expectRelease()
        // The producer reuses its only buffer at once; several ticks later the screen still shows
        // the picture of commit time.
        producer.draw(seed: 2)
        usleep(100_000)
        #expect(mismatchedPixels(fixture, producer, producer.setup.expectedFrame(seed: 1)) == 0)
        // And the next commit shows the new drawing, released again at once.
        try producer.present()
        try producer.expectRelease()
        #expect(mismatchedPixels(fixture, producer, producer.setup.expectedFrame(seed: 2)) == 0)
    }

    /// How many pixels of the output's shown frame differ from `expected` (short failure output).
    func mismatchedPixels(_ fixture: DeviceServerFixture, _ producer: CopyProducer, _ expected: [UInt32]) -> Int {
        guard let shown = shownFrame(fixture.server, output: producer.setup.output.outputID), shown.count == expected.count else { return -1 }
        return zip(shown, expected).filter { $0 != $1 }.count
    }

    @Test func onlyTheDamagedRegionIsCopied() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try CopyProducer(try fixture.producer("copy-damage"))
        producer.draw(seed: 1)
        try producer.present()
        try producer.expectRelease()
        // Drawn all over, but only a 4x3 rect is reported. A new zpos makes the composer redraw
        // the whole plane from the server's copy: outside the damage it must still hold seed 1
        // (the zero-copy path would read seed 2 everywhere from the producer's memory).
        producer.draw(seed: 2)
        let damage = WireRect(x: 20, y: 10, width: 4, height: 3)
        try producer.present(damage: [damage], zpos: 1)
        try producer.expectRelease()
        let width = Int(Self.width)
        var expected = producer.setup.expectedFrame(seed: 1)
        for y in 10..<13 { for x in 20..<24 { expected[y * width + x] = ProducerSetup.pattern(x: x, y: y, seed: 2) } }
        #expect(mismatchedPixels(fixture, producer, expected) == 0)
    }

    @Test func aVersion10ConnectionMayNotAskForTheCopyPath() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let client = try DisplayClient(socketPath: fixture.server.socketPath, role: .producer, name: "old", timeout: 5,
                                       version: DisplayProtocolVersion(major: 1, minor: 0))
        #expect(client.welcome.version == DisplayProtocolVersion(major: 1, minor: 0))
        let buffer = try ProducerBuffer(width: 8, height: 8)
        do {
            _ = try client.createFramebuffer(buffer, copy: true)
            Issue.record("a 1.0 connection got a copy-path framebuffer")
        } catch .server(let report) {
            #expect(report.code == .invalidArgument)
        }
        // The connection stays usable, and the zero-copy path works for it.
        #expect(try client.createFramebuffer(buffer) > 0)
    }

    @Test func thePatternProducerRunsOnOneCopyBuffer() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let client = try fixture.producer("pattern-copy")
        let producer = try PatternProducer(client: client, name: "P-1", width: 96, height: 64, refreshMillihertz: 120_000, copy: true)
        try producer.run(frameCount: 12)
        // One buffer, released at every tick that copied it: the twelfth Release may still be on
        // its way when the twelfth PageFlip is taken, never more than that.
        #expect(producer.statistics.frames == 12)
        #expect((11...12).contains(producer.statistics.releases))
    }
}
