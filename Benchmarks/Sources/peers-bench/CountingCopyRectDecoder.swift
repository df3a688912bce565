import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient

/// RFBClient's CopyRect decoder (RFC 6143 §7.7.2), counting the rectangles it applies, so the
/// benchmark can say which servers send CopyRect and how much of the picture arrives that way.
/// The counts live in a reference the viewer keeps, because the client state machine owns the
/// decoder.
struct CountingCopyRectDecoder: RectangleDecoder {
    final class Counts {
        var rectangles = 0
        var pixels = 0
    }

    let counts: Counts
    private var decoder = CopyRectDecoder()

    init(counts: Counts) { self.counts = counts }

    var encoding: Encoding { .copyRect }

    mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                         into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        try decoder.decode(rect, from: &input, format: format, into: &framebuffer)
        counts.rectangles += 1
        counts.pixels += rect.width * rect.height
    }
}
