@testable import Capture
import Display
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import Server
import Testing

/// Moves a source reports reach viewers as CopyRect when they list it (RFC 6143 §7.7.2) and as
/// pixels when they do not; either way the picture stays exact.
struct MoveUpdateTests {
    private static let moved = Rect(x: 20, y: 20, width: 60, height: 40)
    private static let destination = Point(x: 50, y: 45)

    @Test func moveIsSentAsCopyRect() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.encodings = [.copyRect, .hextile]
            let viewer = try await server.connectViewerWithPicture(options)
            moveBlock(in: server.source)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            let update = try #require(viewer.updates.last)
            #expect(viewer.updateCount == 2)
            #expect(!update.rectangles.isEmpty)
            #expect(update.rectangles.allSatisfy { $0.encoding == .copyRect }, "\(update.rectangles)")
            #expect(Region(rects: update.rectangles.map(\.rect)) == Region(Rect(origin: Self.destination, size: Self.moved.size)))
        }
    }

    /// The built-in demo desktop (what `porthole serve` shows) reports its sliding window as a
    /// move, and a viewer that lists CopyRect gets it as CopyRect rectangles of the window's size.
    @Test func demoDesktopsSlidingWindowArrivesAsCopyRect() async throws {
        let log = LogRecorder()
        let source = DemoDesktop(size: Size(width: 640, height: 480))
        let server = try await PortholeServer.start(configuration: TestServer.configuration(), source: source, logger: log.makeLogger())
        do {
            var options = TestViewer.Options()
            options.encodings = [.copyRect, .zrle]
            let viewer = try await TestViewer.connect(to: server.boundAddress, options: options)
            let copied = await eventually(timeout: TestPatience.seconds) {
                viewer.updates.contains { update in update.rectangles.contains { $0.encoding == .copyRect } }
            }
            #expect(copied, "no CopyRect in \(viewer.updateCount) updates of the demo desktop")
            let copies = viewer.updates.flatMap(\.rectangles).filter { $0.encoding == .copyRect }
            let window = DemoLayout(size: Size(width: 640, height: 480)).photoSize
            // The window's visible part moves as one copy (less whatever lies under the panel).
            #expect(copies.contains { $0.rect.width >= window.width * 9 / 10 && $0.rect.height >= window.height / 2 }, "\(copies)")
            await viewer.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func moveIsSentAsPixelsWithoutCopyRect() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.encodings = [.hextile]
            let viewer = try await server.connectViewerWithPicture(options)
            moveBlock(in: server.source)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            let rectangles = viewer.updates.flatMap(\.rectangles)
            #expect(viewer.updateCount == 2)
            #expect(rectangles.allSatisfy { $0.encoding == .hextile }, "\(rectangles)")
        }
    }

    /// Moves `moved` to `destination` (overlapping its old place, like a dragged window) and reports
    /// it as a move.
    private func moveBlock(in source: ScriptedFrameSource) {
        source.change { picture in
            picture.copy(Self.moved, to: Self.destination)
            return FrameDamage(moves: [CopyMove(destination: Rect(origin: Self.destination, size: Self.moved.size),
                                                source: Self.moved.origin)])
        }
    }
}
