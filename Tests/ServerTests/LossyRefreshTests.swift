import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import Testing

/// Lossy where the content suits, a lossless refresh once it settles (issue #3 item 1, issue #6
/// item 3), seen by real RFB clients of a running server: a viewer announcing Tight with a
/// QualityLevel gets the animated photograph as JPEG and, after the animation stops, the exact
/// picture without any further damage from the source; a viewer without a QualityLevel never gets
/// a lossy rectangle.
struct LossyRefreshTests {
    /// Tile-aligned, so the tiles owed a refresh are exactly this area.
    private static let animated = Rect(x: 64, y: 64, width: 128, height: 128)
    private static let film = TestImages.photographic(width: 512, height: 256, seed: 11)

    private static func qualityViewer() -> TestViewer.Options {
        var options = TestViewer.Options()
        options.encodings = [.tight, Encoding(Encoding.qualityLevel0.rawValue + 6), .desktopSize]
        return options
    }

    private static func losslessViewer() -> TestViewer.Options {
        var options = TestViewer.Options()
        options.encodings = [.tight, .desktopSize]
        return options
    }

    /// Frame `i` of the animation: a photograph panning through the animated area.
    private static func drawFrame(_ i: Int, into picture: inout PixelBuffer) {
        let offset = Point(x: (i * 5) % (film.width - animated.width), y: (i * 3) % (film.height - animated.height))
        picture.blit(film.cropped(to: Rect(origin: offset, size: animated.size)), at: animated.origin)
    }

    @Test func animatedAreaIsLossyThenRefreshedExactlyOnceItSettles() async throws {
        let source = ScriptedFrameSource(TestImages.desktop(width: 320, height: 240))
        try await TestServer.with(source: source) { server in
            // The desktop's photograph-like parts may go JPEG first; the picture is exact once
            // they are refreshed, and only then does the animation start.
            let lossy = try await server.connectViewerWithPicture(Self.qualityViewer())
            let exact = try await server.connectViewerWithPicture(Self.losslessViewer())
            let still = lossy.updateCount

            // At least 20 frames, and on a loaded machine on until the area has gone lossy (bounded).
            let giveUp = Date().addingTimeInterval(TestPatience.seconds)
            var i = 0
            while i < 20 || (!lossy.updates.contains { !$0.jpegRectangles.isEmpty } && Date() < giveUp) {
                source.change { picture in
                    Self.drawFrame(i, into: &picture)
                    return FrameDamage(region: Region(Self.animated))
                }
                await pause(0.025)
                i += 1
            }
            let final = source.latest
            #expect(await source.waitUntilPublished())

            // The source is still from here on; only the refresh can make the picture exact.
            #expect(await lossy.waitForFramebuffer(final), "the lossy viewer never got the exact picture back")
            #expect(await exact.waitForFramebuffer(final))
            let updates = Array(lossy.updates.dropFirst(still))
            let jpeg = updates.flatMap(\.jpegRectangles)
            #expect(!jpeg.isEmpty, "the animated area never went lossy")
            #expect(jpeg.allSatisfy { Self.animated.contains($0) }, "lossy outside the animated area: \(jpeg)")
            // The last update that carried pixels is the lossless refresh of the animated area.
            let refresh = try #require(updates.last { !$0.rectangles.isEmpty })
            #expect(refresh.jpegRectangles.isEmpty)
            #expect(refresh.region.contains(Self.animated), "the refresh covered \(refresh.region)")
            #expect(exact.updates.allSatisfy { $0.jpegRectangles.isEmpty }, "a viewer without a QualityLevel got JPEG")

            // Refreshed once: nothing more comes while the source stays still.
            let count = lossy.updateCount
            await pause(1.0)
            #expect(lossy.updateCount == count, "updates kept coming after the refresh")
        }
    }
}
