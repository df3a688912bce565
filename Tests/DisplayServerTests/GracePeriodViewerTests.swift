#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import Server
import Testing

/// An RFB viewer of `porthole serve --device`'s source, over a real TCP connection to the RFB
/// server, while the producer it watches goes away: the last frame stays for the grace period
/// (docs/protocol.md §12), then the viewer is told the new size of the waiting card.
@Suite struct GracePeriodViewerTests {
    @Test func aViewerIsToldTheCardsSizeWhenTheGracePeriodEnds() async throws {
        let grace = 0.6
        let fixture = try DeviceServerFixture { $0.limits.gracePeriodNanoseconds = UInt64(grace * 1e9) }
        defer { fixture.close() }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 200, height: 80))
        let producer = try ProducerSetup(try fixture.producer("watched"))
        producer.draw(0, seed: 41)
        try producer.presentAndWait(0)

        let rfb = try await TestRFBServing.start(source, label: "grace-period-viewer-test")
        let viewer = try RawRFBViewer(port: rfb.boundAddress.port)
        try viewer.handshake()
        #expect(viewer.width == 64 && viewer.height == 48, "ServerInit size \(viewer.width)x\(viewer.height)")
        try viewer.requestUpdate(incremental: false)
        _ = try viewer.readUpdate()

        let gone = monotonicSeconds()
        producer.client.close()
        var sizes: [RawRFBViewer.Rectangle] = []
        while sizes.isEmpty && monotonicSeconds() - gone < 5 {
            try viewer.requestUpdate(incremental: true)
            sizes = try viewer.readUpdate().filter {
                if case .pixels = $0 { return false } else { return true }
            }
        }
        let told = monotonicSeconds() - gone
        #expect(sizes.contains(.extendedDesktopSize(width: 200, height: 80)) || sizes.contains(.desktopSize(width: 200, height: 80)),
                "size rectangles: \(sizes)")
        #expect(told >= grace * 0.9, "the viewer heard of the new size \(told) s after the producer left, before the grace period ended")
        #expect(viewer.width == 200 && viewer.height == 80)
        await rfb.stop()
    }

    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
