import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import Logging
import Server
import Synchronization
import Testing

/// `porthole serve --device --output-ports` in process: two producers' outputs, each in its own
/// slot and on its own RFB port (a companion listener of the first server), and a viewer on each
/// port that sees exactly its own output's picture.
@Suite struct OutputPortsViewerTests {
    @Test func eachPortShowsItsOwnOutputPixelForPixel() async throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let assignments = LockedAssignments()
        let slots = OutputSlotSources(server: fixture.server, waitingCardSize: Size(width: 200, height: 80)) { assignments.append($0) }
        let first = try ProducerSetup(try fixture.producer("first"), width: 64, height: 48)
        first.draw(0, seed: 3)
        try first.presentAndWait(0)
        let second = try ProducerSetup(try fixture.producer("second"), width: 40, height: 30)
        second.draw(0, seed: 200)
        try second.presentAndWait(0)
        #expect(await eventually { assignments.count == 2 })
        let made = assignments.all
        try #require(made.count == 2)
        #expect(made.map(\.slot) == [0, 1] && made.map(\.isNewSlot) == [false, true])
        #expect(made[0].source === slots.first)

        let configuration = TestRFBServing.configuration
        let logger = TestRFBServing.logger("output-ports-viewer-test")
        let rfb = try await PortholeServer.start(configuration: configuration, source: slots.first, logger: logger)
        let companion = try await rfb.startCompanion(port: 0, source: made[1].source, configuration: configuration, logger: logger)
        #expect(companion.boundAddress.port != rfb.boundAddress.port)

        var viewers: [RawRFBViewer] = []
        for (port, producer, seed) in [(rfb.boundAddress.port, first, UInt32(3)), (companion.boundAddress.port, second, UInt32(200))] {
            let viewer = try RawRFBViewer(port: port)
            try viewer.handshake()
            #expect(viewer.width == Int(producer.width) && viewer.height == Int(producer.height), "port \(port): \(viewer.width)x\(viewer.height)")
            #expect(viewer.shifts.red == 16 && viewer.shifts.green == 8 && viewer.shifts.blue == 0, "pixel format \(viewer.shifts)")
            // The first update may still show the output's black start, before the frame clock
            // handed the committed frame over; later updates bring the picture.
            let expected = producer.expectedFrame(seed: seed).map { $0 & 0xff_ffff }
            try viewer.requestUpdate(incremental: false)
            _ = try viewer.readUpdate()
            var updates = 1
            while viewer.pixels.map({ $0 & 0xff_ffff }) != expected && updates < 50 {
                try viewer.requestUpdate(incremental: true)
                _ = try viewer.readUpdate()
                updates += 1
            }
            let wrong = zip(viewer.pixels, expected).filter { ($0 & 0xff_ffff) != $1 }.count
            #expect(wrong == 0 && viewer.pixels.count == expected.count, "port \(port): \(wrong) pixels differ after \(updates) updates")
            viewers.append(viewer)
        }
        // Both viewers count in the one registry: --max-viewers holds across ports.
        #expect(await eventually { rfb.viewerCount == 2 && companion.viewerCount == 2 })
        await rfb.stop()
        withExtendedLifetime(viewers) {}
    }

    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }
}

/// Assignments reported on the device's queue, read by the test.
private final class LockedAssignments: Sendable {
    private let items = Mutex<[OutputSlotSources.Assignment]>([])
    func append(_ item: OutputSlotSources.Assignment) { items.withLock { $0.append(item) } }
    var all: [OutputSlotSources.Assignment] { items.withLock { $0 } }
    var count: Int { all.count }
}
