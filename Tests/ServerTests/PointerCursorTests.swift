import Display
import Geometry
import Pixels
import RFB
import Testing

/// The pointer: viewers that list Cursor get its shape and draw it themselves; the others get it
/// drawn into their picture where the pointer is, and the picture stays exact as the pointer and
/// the pixels under it move (RFC 6143 §7.8.1, docs/architecture.md "The pointer belongs to the
/// output").
struct PointerCursorTests {
    @Test func cursorViewerGetsTheShapeOnceAndAPictureWithoutIt() async throws {
        try await TestServer.with { server in
            let drawsItself = try await server.connectViewerWithPicture(.listing([.cursor]))
            let mover = try await server.connectViewerWithPicture(.listing([.cursor]))
            let plain = try await server.connectViewerWithPicture(.listing([]))
            #expect(await eventually(timeout: TestPatience.seconds) { drawsItself.cursorShapes == 1 })
            let shape = try #require(drawsItself.lastCursorShape)
            #expect(shape.size == Size(width: CursorImage.arrow.width, height: CursorImage.arrow.height))
            #expect(shape.hotspot == CursorImage.arrow.hotspot)

            for position in [Point(x: 40, y: 30), Point(x: 90, y: 70)] {
                await mover.pointerEvent(buttonMask: 0, x: position.x, y: position.y)
                // The plain viewer showing the arrow there means the move went through the output.
                #expect(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: position)))
            }
            await pause(0.3)
            #expect(try await drawsItself.framebuffer() == server.source.latest, "the cursor was drawn into a Cursor viewer's picture")
            #expect(drawsItself.cursorShapes == 1, "the unchanged shape was sent again")
            #expect(plain.cursorShapes == 0)
        }
    }

    /// A viewer that lists only XCursor (rfbproto "X Cursor Pseudo-encoding") draws the pointer
    /// itself too: it gets the arrow once, in its two colours (black outline and transparent area,
    /// white fill) with the arrow's mask, and a picture without it; a viewer that also lists Cursor gets the rich form.
    @Test func xCursorViewerGetsATwoColourShapeAndAPictureWithoutIt() async throws {
        try await TestServer.with { server in
            let xCursor = try await server.connectViewerWithPicture(.listing([.xCursor]))
            let both = try await server.connectViewerWithPicture(.listing([.xCursor, .cursor]))
            let plain = try await server.connectViewerWithPicture(.listing([]))
            #expect(await eventually(timeout: TestPatience.seconds) { xCursor.cursorShapes == 1 && both.cursorShapes == 1 })
            let arrow = CursorImage.arrow
            let shape = try #require(xCursor.lastCursorShape)
            #expect(shape.size == Size(width: arrow.width, height: arrow.height))
            #expect(shape.hotspot == arrow.hotspot)
            #expect(shape == CursorShape(hotspot: arrow.hotspot, size: shape.size,
                                         pixels: arrow.argb.map { $0 & 0xff < 0x80 ? 0 : 0xffffff },
                                         mask: try #require(both.lastCursorShape).mask))
            let rich = try #require(both.lastCursorShape)
            #expect(rich.pixels == arrow.argb.map { $0 & 0x00ff_ffff }, "Cursor is preferred over XCursor when both are listed")

            await xCursor.pointerEvent(buttonMask: 0, x: 60, y: 50)
            #expect(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: Point(x: 60, y: 50))))
            await pause(0.3)
            #expect(try await xCursor.framebuffer() == server.source.latest, "the cursor was drawn into an XCursor viewer's picture")
            #expect(xCursor.cursorShapes == 1, "the unchanged shape was sent again")
        }
    }

    /// PointerPos (rfbproto "PointerPos", -232): a viewer that draws the cursor and lists it hears
    /// where another viewer moved the output's pointer, but not of its own moves (it put the
    /// pointer there itself); a Cursor viewer without PointerPos gets no positions.
    @Test func pointerPositionReachesTheOtherViewersThatAskForIt() async throws {
        try await TestServer.with { server in
            let watcher = try await server.connectViewerWithPicture(.listing([.cursor, .cursorPosition]))
            let mover = try await server.connectViewerWithPicture(.listing([.cursor, .cursorPosition]))
            let shapesOnly = try await server.connectViewerWithPicture(.listing([.cursor]))
            for position in [Point(x: 40, y: 30), Point(x: 90, y: 70)] {
                await mover.pointerEvent(buttonMask: 0, x: position.x, y: position.y)
                #expect(await eventually(timeout: TestPatience.seconds) { watcher.cursorPositions.last == position },
                        "the watcher did not hear of the move to \(position): \(watcher.cursorPositions)")
            }
            await pause(0.3)
            #expect(watcher.cursorPositions == [Point(x: 40, y: 30), Point(x: 90, y: 70)])
            #expect(mover.cursorPositions.isEmpty, "the mover was told of its own moves: \(mover.cursorPositions)")
            #expect(shapesOnly.cursorPositions.isEmpty)
            #expect(try await watcher.framebuffer() == server.source.latest, "the cursor was drawn into the watcher's picture")
        }
    }

    @Test func drawnCursorFollowsThePointer() async throws {
        try await TestServer.with { server in
            let plain = try await server.connectViewerWithPicture(.listing([]))
            let mover = try await server.connectViewerWithPicture(.listing([.cursor]))
            // Inside, then another place (the old one must be repainted), then half off the edge.
            for position in [Point(x: 50, y: 40), Point(x: 100, y: 80), Point(x: 155, y: 115), Point(x: 0, y: 0)] {
                await mover.pointerEvent(buttonMask: 0, x: position.x, y: position.y)
                #expect(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: position)),
                        "the picture is wrong with the pointer at \(position)")
            }
            // The picture changing under the cursor keeps the cursor on top.
            server.source.fill(Rect(x: 0, y: 0, width: 30, height: 30), with: 0x3366cc)
            #expect(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: .zero)))
        }
    }

    /// A block is moved (sent as CopyRect) while the drawn cursor is over its source, its
    /// destination, or both: the copy must neither carry the drawn cursor along nor leave it
    /// painted over.
    @Test(arguments: [Point(x: 30, y: 25), Point(x: 95, y: 70), Point(x: 55, y: 48)])
    func copyUnderTheDrawnCursorKeepsThePictureExact(pointer: Point) async throws {
        try await TestServer.with { server in
            let plain = try await server.connectViewerWithPicture(.listing([]))
            let mover = try await server.connectViewerWithPicture(.listing([.cursor]))
            await mover.pointerEvent(buttonMask: 0, x: pointer.x, y: pointer.y)
            try #require(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: pointer)))
            let updatesBefore = plain.updateCount

            let moved = Rect(x: 20, y: 20, width: 60, height: 40)
            let destination = Point(x: 50, y: 45)
            server.source.change { picture in
                picture.copy(moved, to: destination)
                return FrameDamage(moves: [CopyMove(destination: Rect(origin: destination, size: moved.size), source: moved.origin)])
            }
            #expect(await plain.waitForFramebuffer(Self.picture(server.source.latest, withArrowAt: pointer)))
            let rectangles = plain.updates.dropFirst(updatesBefore).flatMap(\.rectangles)
            #expect(rectangles.contains { $0.encoding == .copyRect }, "the move was not sent as CopyRect: \(rectangles)")
        }
    }

    /// `picture` with the server's default arrow drawn with its hotspot at `position`.
    private static func picture(_ picture: PixelBuffer, withArrowAt position: Point) -> PixelBuffer {
        var drawn = picture
        CursorImage.arrow.draw(into: &drawn, at: position, clip: drawn.bounds)
        return drawn
    }
}
