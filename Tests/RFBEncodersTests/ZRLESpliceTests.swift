import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
@testable import RFBEncoders
import Testing

/// Large runs of ZRLE tiles in lanes go through libdeflate and are spliced into the connection's
/// one zlib stream (`ZRLESplice`); the viewer's decoder must read them, and the serial chunks
/// around them, pixel-exact.
struct ZRLESpliceTests {
    static func message(_ count: Int, _ rectangles: ByteBuffer) -> ByteBuffer {
        var message = ByteBuffer()
        message.writeInteger(UInt8(0))
        message.writeInteger(UInt8(0))
        message.writeInteger(UInt16(count))
        var rectangles = rectangles
        message.writeBuffer(&rectangles)
        return message
    }

    @Test(arguments: [PixelFormat.xrgb8888, .rgb565])
    func splicedLanesAndSerialRectanglesDecodeExactly(format: PixelFormat) throws {
        let size = Size(width: 640, height: 480)
        var source = TestImages.desktop(width: size.width, height: size.height)
        var encoder = ZRLEEncoder()
        var viewer = UpdateViewer(size: size, format: format)
        let translator = PixelTranslator(format: format)
        let pictures = [TestImages.desktop(width: 640, height: 480, seed: 7), TestImages.photographic(width: 640, height: 480),
                        TestImages.desktop(width: 640, height: 480, seed: 8)]
        for step in 0..<6 {
            var out = ByteBuffer()
            let count: Int
            if step % 2 == 0 {
                // The whole frame in two or three lanes.
                let picture = pictures[step / 2]
                source.blit(picture, at: Point(x: 0, y: 0))
                let lanes = step == 2 ? 3 : 2
                let rows = size.height / lanes / 64 * 64
                let jobs = (0..<lanes).map { i in
                    [LaneJob(rect: Rect(x: 0, y: i * rows, width: size.width, height: i == lanes - 1 ? size.height - i * rows : rows), lossy: false)]
                }
                count = source.withView { encoder.encodeLanes(jobs, of: $0, translator: translator, into: &out) }
            } else {
                // A small serial rectangle, partial-flushed, between spliced ones.
                let rect = Rect(x: 40 * step, y: 30, width: 50, height: 40)
                source.blit(TestImages.random(width: 50, height: 40, seed: UInt64(step)), at: rect.origin)
                count = source.withView { encoder.encode(rect, of: $0, translator: translator, into: &out) }
            }
            // The spliced desktop byte by byte; the photograph's rectangles (hundreds of KB) in
            // pieces of a prime size, so that the split points fall everywhere in the stream.
            _ = try viewer.apply(Self.message(count, out), byteByByte: step == 0, pieceBytes: step == 2 ? 499 : nil)
            #expect(viewer.framebuffer == TestImages.quantized(source, to: format), "\(format), step \(step)")
            if step == 0 && format == .xrgb8888 {
                // What went byte by byte had spliced runs in it (at 16 bits a pixel the desktop's
                // runs stay below `ZRLESplice.minimumBytes`; the photograph's pieces splice).
                #expect(encoder.laneWorkers.map(\.splicedRuns).reduce(0, +) >= 1)
            }
        }
        let spliced = encoder.laneWorkers.map(\.splicedRuns).reduce(0, +)
        #expect(spliced >= 3, "\(spliced) runs spliced")
    }
}
