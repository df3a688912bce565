import Display
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import Testing

/// A source that reports a scroll only as damage (as the display device's producers and the X11
/// mirror do) still gets its viewers a CopyRect, found by the server (`MoveDetector`), and the
/// viewers' pictures stay exact.
struct FoundMoveTests {
    private static func scrollSource() -> (ScriptedFrameSource, TextPage) {
        var page = TextPage(seed: 41)
        return (ScriptedFrameSource(page.page(width: 320, height: 240)), page)
    }

    /// Scrolls the whole picture up by a line, writes a new last line, and reports all of it as damage.
    private static func scrollOneLine(_ source: ScriptedFrameSource, page: inout TextPage) {
        var next = page
        source.change { picture in
            let line = TextPage.lineHeight
            picture.copy(Rect(x: 0, y: line, width: picture.width, height: picture.height - line), to: .zero)
            next.drawLine(into: &picture, in: Rect(x: 0, y: picture.height - line, width: picture.width, height: line))
            return .full(picture.bounds)
        }
        page = next
    }

    @Test func aScrollReportedAsDamageReachesTheViewerAsCopyRect() async throws {
        var (source, page) = Self.scrollSource()
        try await TestServer.with(source: source) { server in
            var options = TestViewer.Options()
            options.encodings = [.copyRect, .hextile]
            let viewer = try await server.connectViewerWithPicture(options)
            Self.scrollOneLine(source, page: &page)
            #expect(await viewer.waitForFramebuffer(source.latest))
            let rectangles = viewer.updates.dropFirst().flatMap(\.rectangles)
            let copied = rectangles.filter { $0.encoding == .copyRect }
            #expect(!copied.isEmpty, "\(rectangles)")
            // Everything but the new line (and the tiles it shares) is copied, not sent.
            #expect(Region(rects: copied.map(\.rect)).area >= 320 * (240 - 2 * TextPage.lineHeight), "\(copied)")
        }
    }

    @Test func aViewerWithoutCopyRectGetsTheScrollAsPixels() async throws {
        var (source, page) = Self.scrollSource()
        try await TestServer.with(source: source) { server in
            var options = TestViewer.Options()
            options.encodings = [.hextile]
            let viewer = try await server.connectViewerWithPicture(options)
            Self.scrollOneLine(source, page: &page)
            #expect(await viewer.waitForFramebuffer(source.latest))
            #expect(viewer.updates.flatMap(\.rectangles).allSatisfy { $0.encoding == .hextile })
        }
    }
}
