import Testing
import NIOCore
import Geometry
import Pixels
import RFB
import RFBClient
import PortholeTestSupport

/// Hostile input: random bytes for random rectangles must give a decoded picture,
/// `.needMoreData` with the input untouched, or `.malformed`; never a crash or an
/// out-of-bounds write.
struct DecoderRobustnessTests {
    @Test(arguments: [Encoding.raw, .copyRect, .rre, .hextile])
    func randomBytesNeverCrash(encoding: Encoding) {
        var rng = SplitMix(seed: UInt64(bitPattern: Int64(encoding.rawValue)) &+ 99)
        var outcomes = (decoded: 0, needMoreData: 0, malformed: 0)
        for _ in 0..<600 {
            let format = TestImages.formats[Int(rng.next() % UInt64(TestImages.formats.count))]
            let rect = Rect(x: Int(rng.next() % 40), y: Int(rng.next() % 40),
                            width: Int(rng.next() % 40), height: Int(rng.next() % 40))
            var bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            switch encoding {
            case .hextile:
                // Mostly valid subencoding bytes, so parsing gets past the first tile.
                if !bytes.isEmpty { bytes[0] = bytes[0] & 0x1e | 2 }
            case .rre:
                // Small counts, so some payloads are complete.
                if bytes.count >= 4 { bytes[0] = 0; bytes[1] = 0; bytes[2] = 0; bytes[3] %= 8 }
            default:
                break
            }
            var framebuffer = PixelBuffer(width: 48, height: 48, fill: RoundTrip.sentinel)
            let (result, buffer) = RoundTrip.decodePayload(bytes, rect: rect, encoding: encoding, format: format, into: &framebuffer)
            switch result {
            case .success:
                outcomes.decoded += 1
                #expect(framebuffer.bounds.contains(rect))
            case .failure(.needMoreData):
                outcomes.needMoreData += 1
                #expect(buffer.readerIndex == 0)
            case .failure(.malformed):
                outcomes.malformed += 1
            }
        }
        #expect(outcomes.decoded > 0, "\(outcomes)")
        #expect(outcomes.malformed > 0, "\(outcomes)")
    }
}
