import Display
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import Testing

/// Updates follow damage: nothing is sent while nothing changes, a small change is sent as a small
/// update, changes a viewer has not asked for yet are merged into one update, and whatever the
/// encoding and pixel format the viewer's picture ends up equal to the source's.
struct DamageDrivenUpdateTests {
    @Test func idleSourceSendsNothingAndSmallChangesStaySmall() async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture()
            #expect(viewer.updateCount == 1)
            // The viewer keeps an incremental request outstanding the whole time.
            await pause(0.5)
            #expect(viewer.updateCount == 1, "an idle source produced updates")

            let changed = Rect(x: 40, y: 30, width: 8, height: 6)
            server.source.fill(changed, with: 0x00abcdef)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            let updates = viewer.updates
            #expect(updates.count == 2)
            let update = try #require(updates.last)
            #expect(!update.rectangles.isEmpty)
            #expect(update.rectangles.allSatisfy { changed.contains($0.rect) }, "rectangles \(update.rectangles) outside \(changed)")
        }
    }

    @Test(arguments: [Encoding.raw, .rre, .hextile, .zrle], [PixelFormat.xrgb8888, .rgb565, .bgr233])
    func pictureIsExact(encoding: Encoding, format: PixelFormat) async throws {
        let source = ScriptedFrameSource(TestImages.desktop(width: 200, height: 150))
        try await TestServer.with(source: source) { server in
            var options = TestViewer.Options()
            options.encodings = [encoding]
            options.pixelFormat = format
            let viewer = try await server.connectViewerWithPicture(options)

            // A photograph-like patch and a flat one, in separate frames.
            let photo = TestImages.photographic(width: 70, height: 50, seed: 9)
            server.source.change { picture in
                picture.blit(photo, at: Point(x: 100, y: 60))
                return FrameDamage(region: Region(Rect(x: 100, y: 60, width: 70, height: 50)))
            }
            #expect(await server.source.waitUntilPublished())
            server.source.fill(Rect(x: 5, y: 100, width: 64, height: 33), with: 0x00406080)
            #expect(await viewer.waitForFramebuffer(TestImages.quantized(server.source.latest, to: format)))
            let used = Set(viewer.updates.flatMap(\.rectangles).map(\.encoding))
            #expect(used == [encoding])
        }
    }

    @Test func changesWhileTheViewerIsNotAskingAreMerged() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.requestsAutomatically = false
            let viewer = try await TestViewer.connect(to: server.address, options: options)
            await viewer.requestUpdate(incremental: false)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            #expect(viewer.updateCount == 1)

            let firstSequence = server.server.output.frame.sequence
            for step in 0..<50 {
                let rect = Rect(x: (step * 7) % 150, y: (step * 5) % 110, width: 10, height: 10)
                server.source.fill(rect, with: UInt32(step) * 0x00050301)
                // One frame per change: wait for the frame clock to pick it up.
                try #require(await server.source.waitUntilPublished())
            }
            #expect(server.server.output.frame.sequence - firstSequence >= 50)
            #expect(viewer.updateCount == 1, "updates were sent without a request")

            await viewer.requestUpdate(incremental: true)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            await pause(0.3)
            #expect(viewer.updateCount == 2, "50 changes were sent as \(viewer.updateCount - 1) updates")
        }
    }
}
