import Testing
import NIOCore
import Geometry
import Pixels
import RFB

struct ServerMessageWritingTests {
    @Test func serverInitLayout() {
        var buffer = ByteBuffer()
        buffer.writeServerInit(size: Size(width: 0x102, height: 0x304), format: .xrgb8888, name: "hé")
        #expect(Array(buffer.readableBytesView) ==
            [1, 2, 3, 4, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 3, 0x68, 0xc3, 0xa9])
    }

    @Test func pixelFormatRoundTrips() {
        for format in [PixelFormat.xrgb8888, .rgb565, .bgr233] {
            var buffer = ByteBuffer()
            buffer.writePixelFormat(format)
            #expect(buffer.readableBytes == 16)
            #expect(buffer.readPixelFormat() == format)
        }
        var short = ByteBuffer(bytes: [32, 24, 0])
        #expect(short.readPixelFormat() == nil)
        #expect(short.readableBytes == 3)
    }

    @Test func framebufferUpdateHeaderWithKnownCount() {
        var buffer = ByteBuffer()
        buffer.writeFramebufferUpdateHeader(count: 0x0102)
        #expect(Array(buffer.readableBytesView) == [0, 0, 1, 2])
    }

    @Test func framebufferUpdateCountIsPatchedAfterTheRectangles() {
        var buffer = ByteBuffer()
        buffer.writeBell()
        let slot = buffer.reserveFramebufferUpdateHeader()
        buffer.writeDesktopSize(Size(width: 640, height: 480))
        buffer.writeLastRect()
        buffer.patchFramebufferUpdateCount(slot, count: 2)
        #expect(Array(buffer.readableBytesView) ==
            [2, 0, 0, 0, 2, 0, 0, 0, 0, 2, 128, 1, 224, 0xff, 0xff, 0xff, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x20])
    }

    @Test func serverCutTextLayout() {
        var buffer = ByteBuffer()
        buffer.writeServerCutText([0x41, 0xe9])
        #expect(Array(buffer.readableBytesView) == [3, 0, 0, 0, 0, 0, 0, 2, 0x41, 0xe9])
    }

    @Test func desktopNameLayout() {
        var buffer = ByteBuffer()
        buffer.writeDesktopName("ab")
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xcd, 0, 0, 0, 2, 0x61, 0x62])
    }

    @Test func setColourMapEntriesLayout() {
        var buffer = ByteBuffer()
        buffer.writeSetColourMapEntries(firstColour: 1, colours: [(red: 0x102, green: 3, blue: 4)])
        #expect(Array(buffer.readableBytesView) == [1, 0, 0, 1, 0, 1, 1, 2, 0, 3, 0, 4])
    }

    @Test func rectangleHeaderRoundTrips() {
        let header = RectangleHeader(rect: Rect(x: 1, y: 2, width: 3, height: 4), encoding: .desktopName)
        var buffer = ByteBuffer()
        buffer.writeRectangleHeader(header)
        #expect(buffer.readRectangleHeader() == header)
        #expect(buffer.readRectangleHeader() == nil)
    }

    @Test func latin1RoundTripsAndReplacesWhatItCannotHold() {
        #expect(Latin1.bytes(from: "café") == [0x63, 0x61, 0x66, 0xe9])
        #expect(Latin1.string(from: [0x63, 0x61, 0x66, 0xe9]) == "café")
        #expect(Latin1.bytes(from: "€") == [UInt8(ascii: "?")])
    }
}
