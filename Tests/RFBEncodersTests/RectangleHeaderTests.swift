import Testing
import NIOCore
import Geometry
import RFB
@testable import RFBEncoders

struct RectangleHeaderTests {
    @Test func headerIsBigEndianWithSignedEncoding() {
        var b = ByteBuffer()
        b.writeRectangleHeader(Rect(x: 1, y: 0x203, width: 0x405, height: 6), encoding: .desktopSize)
        #expect(Array(b.readableBytesView) == [0, 1, 2, 3, 4, 5, 0, 6, 0xff, 0xff, 0xff, 0x21])
    }
}
