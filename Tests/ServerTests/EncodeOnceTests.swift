import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
@testable import Server
import Testing

/// Encode once (docs/architecture.md): the output's cache of encoded rectangles, update schedulers
/// sharing it (pure, no sockets), and viewers of a running server.
struct EncodeOnceTests {
    private typealias Key = EncodedRectangleCache.Key

    private func entry(_ bytes: [UInt8]) -> EncodedRectangleCache.Entry {
        EncodedRectangleCache.Entry(bytes: ByteBuffer(bytes: bytes), count: 1)
    }

    @Test func theCacheHoldsOnlyTheNewestFrameWithinItsLimit() {
        let cache = EncodedRectangleCache(byteLimit: 10)
        let a = Key(rect: Rect(x: 0, y: 0, width: 4, height: 4), format: .xrgb8888, encoding: .hextile)
        let b = Key(rect: Rect(x: 8, y: 0, width: 4, height: 4), format: .xrgb8888, encoding: .hextile)
        cache.store(entry([1, 2, 3]), for: a, sequence: 5)
        #expect(cache.entry(for: a, sequence: 5)?.bytes == ByteBuffer(bytes: [1, 2, 3]))
        #expect(cache.entry(for: a, sequence: 4) == nil, "an older frame's viewer got a newer frame's rectangle")
        #expect(cache.entry(for: Key(rect: a.rect, format: .rgb565, encoding: .hextile), sequence: 5) == nil)
        #expect(cache.entry(for: Key(rect: a.rect, format: .xrgb8888, encoding: .raw), sequence: 5) == nil)
        // Over the limit: not kept.
        cache.store(entry(Array(repeating: 9, count: 8)), for: b, sequence: 5)
        #expect(cache.entry(for: b, sequence: 5) == nil)
        #expect(cache.byteCount == 3)
        // An older frame's rectangle is not kept; a newer frame's empties the cache.
        cache.store(entry([7]), for: b, sequence: 4)
        #expect(cache.entry(for: b, sequence: 4) == nil)
        cache.store(entry([4, 5]), for: b, sequence: 6)
        #expect(cache.entry(for: a, sequence: 6) == nil && cache.entry(for: a, sequence: 5) == nil)
        #expect(cache.entry(for: b, sequence: 6)?.bytes == ByteBuffer(bytes: [4, 5]))
        #expect(cache.byteCount == 2)
        #expect(cache.hits == 2)
    }

    private func frame(_ pixels: PixelBuffer, sequence: UInt64, pointer: Point? = nil) -> LiveOutput.Frame {
        LiveOutput.Frame(pixels: pixels, sequence: sequence,
                         cursor: LiveOutput.CursorState(image: .arrow, imageSerial: 1, position: pointer),
                         layout: DesktopLayout(singleScreen: pixels.size), resizedBy: nil, cursorMovedBy: nil, name: "test")
    }

    /// A scheduler of a Hextile viewer (drawing the cursor itself when `cursor`) that has been sent
    /// the whole first frame and now asks for more.
    private func scheduler(_ cache: EncodedRectangleCache, first: LiveOutput.Frame, format: PixelFormat = .xrgb8888,
                           cursor: Bool = true) -> ViewerUpdateScheduler {
        final class Viewer {}
        var s = ViewerUpdateScheduler(viewer: ObjectIdentifier(Viewer.self), sharedRectangles: cache)
        s.setPixelFormat(format)
        s.setEncodings(EncodingPreferences(requested: [.hextile] + (cursor ? [.cursor] : []), supported: Set(EncoderRegistry.implemented)))
        s.start(with: first)
        s.request(incremental: false, rect: first.pixels.bounds)
        _ = s.nextUpdate(at: .now())
        s.request(incremental: true, rect: first.pixels.bounds)
        return s
    }

    private func message(_ step: ViewerUpdateScheduler.UpdateStep) -> ByteBuffer? { if case .send(let m) = step { m } else { nil } }

    @Test func schedulersWithTheSameFormatShareAndOthersDoNot() throws {
        let cache = EncodedRectangleCache()
        var picture = TestImages.desktop(width: 160, height: 120)
        let pointer = Point(x: 20, y: 20)
        let first = frame(picture, sequence: 1, pointer: pointer)
        var a = scheduler(cache, first: first), b = scheduler(cache, first: first)
        var other = scheduler(cache, first: first, format: .rgb565)
        var drawsIn = scheduler(cache, first: first, cursor: false)
        // One change away from the pointer, one under it.
        let away = Rect(x: 100, y: 70, width: 30, height: 20), under = Rect(x: 15, y: 15, width: 20, height: 20)
        picture.fill(away, with: 0x00ff8000)
        picture.fill(under, with: 0x000080ff)
        let next = frame(picture, sequence: 2, pointer: pointer)
        let damage = FrameDamage(region: Region(away).union(under))
        for s in [0, 1, 2, 3] {
            switch s {
            case 0: _ = a.frameArrived(next, damage: damage)
            case 1: _ = b.frameArrived(next, damage: damage)
            case 2: _ = other.frameArrived(next, damage: damage)
            default: _ = drawsIn.frameArrived(next, damage: damage)
            }
        }
        let hitsBefore = cache.hits
        let stepA = a.nextUpdate(at: .now())
        let fromA = try #require(message(stepA))
        #expect(cache.hits == hitsBefore)
        let stepB = b.nextUpdate(at: .now())
        let fromB = try #require(message(stepB))
        #expect(cache.hits - hitsBefore == 2, "the second viewer of the same format did not take both rectangles")
        #expect(fromB == fromA)
        let stepOther = other.nextUpdate(at: .now())
        _ = try #require(message(stepOther))
        #expect(cache.hits - hitsBefore == 2, "a viewer of another format took a shared rectangle")
        // The viewer with the cursor drawn in takes the rectangle away from it, and encodes the
        // one under the pointer itself (its pixels there carry the arrow).
        let stepDrawsIn = drawsIn.nextUpdate(at: .now())
        _ = try #require(message(stepDrawsIn))
        #expect(cache.hits - hitsBefore == 3, "the drawn-in viewer should take exactly the rectangle away from the cursor")
    }
}

/// Viewers of a running server that share a format get the same rectangles and exact pictures,
/// with and without the cursor drawn in.
struct EncodeOnceServerTests {
    @Test func viewersOfOneFormatShareRectanglesAndStayExact() async throws {
        try await TestServer.with { server in
            var withCursor = TestViewer.Options()
            withCursor.encodings = [.hextile, .cursor]
            var plain = TestViewer.Options()
            plain.encodings = [.hextile]
            let one = try await server.connectViewerWithPicture(withCursor)
            let two = try await server.connectViewerWithPicture(withCursor)
            let drawnIn = try await server.connectViewerWithPicture(plain)
            let pointer = Point(x: 30, y: 30)
            await one.pointerEvent(buttonMask: 0, x: pointer.x, y: pointer.y)
            var arrow = server.source.latest
            CursorImage.arrow.draw(into: &arrow, at: pointer, clip: arrow.bounds)
            try #require(await drawnIn.waitForFramebuffer(arrow))

            let hitsBefore = server.server.output.sharedRectangles.hits
            for (index, rect) in [Rect(x: 100, y: 70, width: 30, height: 20), Rect(x: 20, y: 20, width: 30, height: 30),
                                  Rect(x: 60, y: 5, width: 50, height: 10)].enumerated() {
                server.source.fill(rect, with: UInt32(index + 1) * 0x00304050)
                let expected = server.source.latest
                var expectedWithArrow = expected
                CursorImage.arrow.draw(into: &expectedWithArrow, at: pointer, clip: expected.bounds)
                #expect(await one.waitForFramebuffer(expected), "change \(index)")
                #expect(await two.waitForFramebuffer(expected), "change \(index)")
                #expect(await drawnIn.waitForFramebuffer(expectedWithArrow), "change \(index) with the cursor drawn in")
            }
            #expect(server.server.output.sharedRectangles.hits > hitsBefore, "no viewer took another's rectangle")
        }
    }
}
