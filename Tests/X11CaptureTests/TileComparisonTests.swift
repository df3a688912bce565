import Geometry
import Pixels
import Testing
import X11Capture

@Suite struct TileComparisonTests {
    @Test func onlyChangedTilesAreReportedAndCopied() {
        var frame = PixelBuffer(width: 200, height: 130, fill: 0x101010)
        var fresh = frame
        fresh[5, 5] = 0xff0000
        fresh[199, 129] = 0x00ff00
        let region = TileComparison.update(&frame, from: fresh, tileSize: 64)
        #expect(region == Region(rects: [Rect(x: 0, y: 0, width: 64, height: 64), Rect(x: 192, y: 128, width: 8, height: 2)]))
        #expect(frame == fresh)
    }

    @Test func identicalFramesHaveNoDamage() {
        var frame = PixelBuffer(width: 70, height: 70, fill: 7)
        #expect(TileComparison.update(&frame, from: PixelBuffer(width: 70, height: 70, fill: 7)).isEmpty)
    }
}
