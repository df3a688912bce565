import Geometry
import RFB
import Testing

/// rfbproto "ContinuousUpdates Pseudo-encoding", "EnableContinuousUpdates" and
/// "EndOfContinuousUpdates": changes flow without requests while enabled, and the server says
/// when they stop.
struct ContinuousUpdatesTests {
    @Test func announcingContinuousUpdatesIsConfirmedAtOnce() async throws {
        try await TestServer.with { server in
            let viewer = try await TestViewer.connect(to: server.address, options: .listing([.continuousUpdates], requestsAutomatically: false))
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.endsOfContinuousUpdates == 1 })
            let plain = try await TestViewer.connect(to: server.address, options: .listing([], requestsAutomatically: false))
            await pause(0.3)
            #expect(viewer.endsOfContinuousUpdates == 1)
            #expect(viewer.updateCount == 0, "an update was sent without a request")
            #expect(plain.endsOfContinuousUpdates == 0, "a viewer that did not list ContinuousUpdates got EndOfContinuousUpdates")
        }
    }

    @Test func changesFlowWithoutRequestsUntilDisabled() async throws {
        try await TestServer.with { server in
            let viewer = try await TestViewer.connect(to: server.address, options: .listing([.continuousUpdates], requestsAutomatically: false))
            try #require(await eventually(timeout: TestPatience.seconds) { viewer.endsOfContinuousUpdates == 1 })
            await viewer.enableContinuousUpdates(true)
            // Everything is owed from the start, so the whole picture arrives without a request.
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            for (index, colour) in [UInt32(0xff0000), 0x00ff00, 0x0000ff].enumerated() {
                server.source.fill(Rect(x: 10 + 30 * index, y: 20, width: 25, height: 25), with: colour)
                #expect(await viewer.waitForFramebuffer(server.source.latest), "change \(index) did not arrive unrequested")
            }

            await viewer.enableContinuousUpdates(false)
            #expect(await eventually(timeout: TestPatience.seconds) { viewer.endsOfContinuousUpdates == 2 },
                    "disabling was not answered with EndOfContinuousUpdates")
            let shown = try await viewer.framebuffer()
            let updates = viewer.updateCount
            server.source.fill(Rect(x: 100, y: 80, width: 30, height: 20), with: 0xffff00)
            #expect(await server.source.waitUntilPublished())
            await pause(0.5)
            #expect(viewer.updateCount == updates, "an update arrived after continuous updates were disabled")
            #expect(try await viewer.framebuffer() == shown)

            // Requests work as before.
            await viewer.requestUpdate(incremental: true)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
        }
    }
}
