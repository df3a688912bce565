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

    /// Without CopyRect a scroll is owed as pixels, but only where the new picture differs from the
    /// old: the rows between lines of text that are blank in both are not sent (DamageRefinery's
    /// pixel-exact damage). Hextile, because ZRLE joins close rectangles across such rows
    /// (`FramebufferUpdateEncoder.neighbourMergingEncodings`).
    @Test func aViewerWithoutCopyRectIsSentOnlyTheRowsThatDiffer() async throws {
        var (source, page) = Self.scrollSource()
        try await TestServer.with(source: source) { server in
            var options = TestViewer.Options()
            options.encodings = [.hextile]
            let viewer = try await server.connectViewerWithPicture(options)
            let before = source.latest
            Self.scrollOneLine(source, page: &page)
            #expect(await viewer.waitForFramebuffer(source.latest))
            let after = source.latest
            let sent = Region(rects: viewer.updates.dropFirst().flatMap(\.rectangles).map(\.rect))
            // Rows equal in both pictures, in runs longer than the trimmer's merged gap.
            var equalRows: [Int] = []
            for y in 0..<after.height where (0..<after.width).allSatisfy({ before[$0, y] == after[$0, y] }) { equalRows.append(y) }
            #expect(!equalRows.isEmpty, "the test page should leave some rows unchanged by a scroll")
            let sentRows = Set(sent.rects.flatMap { $0.minY..<$0.maxY })
            let wronglySent = equalRows.filter { y in sentRows.contains(y) && [y - 1, y - 2, y + 1, y + 2].allSatisfy(equalRows.contains) }
            #expect(wronglySent.isEmpty, "rows equal in both pictures (and their neighbours) were sent: \(wronglySent.prefix(20))")
            #expect(sent.area < after.bounds.area * 3 / 4, "sent \(sent.area) of \(after.bounds.area) pixels")
        }
    }
}
