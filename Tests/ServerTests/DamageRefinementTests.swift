import Display
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// Damage a source over-reports is refined before viewers see it (`LiveOutput` compares each new
/// frame with the previous one tile by tile): a one-pixel change reported as the whole frame is
/// sent as its tile, and reported damage where nothing changed sends nothing.
struct DamageRefinementTests {
    @Test func overReportedDamageIsSentAsTheChangedTile() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture()
            let updates = viewer.updateCount
            server.source.change { picture in
                picture[70, 45] ^= 0x00ff_ffff
                return .full(picture.bounds)
            }
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            #expect(viewer.updateCount == updates + 1)
            let tile = Rect(x: 64, y: 0, width: 64, height: 64)
            let rects = viewer.updates.last?.rectangles.map(\.rect) ?? []
            #expect(!rects.isEmpty && rects.allSatisfy { tile.contains($0) }, "rectangles \(rects) outside the changed tile \(tile)")
        }
    }

    @Test func reportedDamageWithoutChangeSendsNothing() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture()
            let updates = viewer.updateCount
            server.source.change { picture in .full(picture.bounds) }
            #expect(await server.source.waitUntilPublished())
            await pause(0.5)
            #expect(viewer.updateCount == updates, "damage over unchanged pixels was sent")
            // Real changes still arrive afterwards.
            server.source.fill(Rect(x: 3, y: 4, width: 5, height: 6), with: 0x00123456)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
        }
    }
}
