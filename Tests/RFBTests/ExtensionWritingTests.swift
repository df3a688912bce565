import Testing
import NIOCore
import Geometry
import Pixels
import RFB

/// Wire layouts of what the server edge writes for the rfbproto extensions.
struct ExtensionWritingTests {
    private func written(_ body: (inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        body(&buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func extendedDesktopSizeLayout() {
        let message = ExtendedDesktopSize(reason: .otherClient, status: .noError, layout: DesktopLayout(
            size: Size(width: 0x102, height: 0x304), screens: [Screen(id: 1, rect: Rect(x: 0, y: 0, width: 0x102, height: 0x304))]))
        #expect(message.payloadLength == 20)
        #expect(written { $0.writeExtendedDesktopSize(message) } == [
            0, 2, 0, 0, 1, 2, 3, 4, 0xff, 0xff, 0xfe, 0xcc, // header: reason 2, status 0, size, -308
            1, 0, 0, 0,                                     // one screen, padding
            0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0,
        ])
        let reply = ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: DesktopLayout(size: Size(width: 1, height: 1), screens: []))
        #expect(written { $0.writeExtendedDesktopSizeUpdate(reply) } == [0, 0, 0, 1, 0, 1, 0, 3, 0, 1, 0, 1, 0xff, 0xff, 0xfe, 0xcc, 0, 0, 0, 0])
    }

    @Test func continuousUpdatesFenceAndConfirmations() {
        #expect(written { $0.writeEndOfContinuousUpdates() } == [150])
        #expect(written { $0.writeFence(flags: [.request], payload: [1, 2]) } == [248, 0, 0, 0, 0x80, 0, 0, 0, 2, 1, 2])
        #expect(written { $0.writeQEMUExtendedKeyEventConfirmation() } == [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xfe])
        #expect(written { $0.writeExtendedMouseButtonsConfirmation() } == [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xc4])
        #expect(written { $0.writeCursorPosition(Point(x: 0x102, y: 3)) } == [1, 2, 0, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x18])
    }

    @Test func cursorPixelsAreInTheViewersFormat() {
        let shape = CursorShape(hotspot: Point(x: 1, y: 0), size: Size(width: 2, height: 2),
                                pixels: [0xff0000, 0x00ff00, 0x0000ff, 0xffffff], mask: [0b1000_0000, 0b0100_0000])
        #expect(shape.isOpaque(x: 0, y: 0) && !shape.isOpaque(x: 1, y: 0) && shape.isOpaque(x: 1, y: 1))
        #expect(written { $0.writeCursor(shape, translator: PixelTranslator(format: .rgb565)) } == [
            0, 1, 0, 0, 0, 2, 0, 2, 0xff, 0xff, 0xff, 0x11,
            0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00, 0xff, 0xff, // little-endian RGB565
            0x80, 0x40,
        ])
    }

    @Test func xCursorLayoutAndExpansion() {
        let shape = XCursorShape(hotspot: Point(x: 0, y: 1), size: Size(width: 9, height: 1), foreground: 0x010203, background: 0x0a0b0c,
                                 bitmap: [0xff, 0x00], mask: [0xff, 0x80])
        #expect(written { $0.writeXCursor(shape) } == [0, 0, 0, 1, 0, 9, 0, 1, 0xff, 0xff, 0xff, 0x10,
                                                       1, 2, 3, 10, 11, 12, 0xff, 0x00, 0xff, 0x80])
        let full = shape.cursorShape
        #expect(full.pixels == [UInt32](repeating: 0x010203, count: 8) + [0x0a0b0c])
        #expect(full.mask == [0xff, 0x80])
        let empty = XCursorShape(hotspot: .zero, size: Size(width: 0, height: 0), foreground: 0, background: 0, bitmap: [], mask: [])
        #expect(written { $0.writeXCursor(empty) }.count == 12, "a 0x0 cursor has no payload")
    }

    @Test func extendedServerCutTextLayout() {
        #expect(written { $0.writeExtendedServerCutText(.notify(.text)) } == [3, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc, 0x08, 0, 0, 1])
    }

    @Test func encodingNumbersAndNames() {
        #expect(Encoding.extendedClipboard.rawValue == -1_063_131_698)
        #expect([Encoding.cursorPosition, .qemuExtendedKeyEvent, .fence, .continuousUpdates, .extendedMouseButtons].map(\.rawValue)
                == [-232, -258, -312, -313, -316])
        #expect(Encoding.extendedClipboard.description == "ExtendedClipboard")
        #expect(FenceFlags([.request, .syncNext]).description == "[SyncNext,Request]")
    }
}
