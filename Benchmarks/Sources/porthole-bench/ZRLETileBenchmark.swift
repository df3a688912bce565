import Foundation
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders

/// ZRLE's tile encoder (the choice of subencoding and the writing of palettes, runs and packed
/// indices) on its own, against memcpy of the same frame: ZRLE at zlib level 0 stores what the
/// tiles came to, so zlib adds a copy and a checksum and no search. Frames of text and of a
/// desktop, where the packed-palette and RLE writers do the work, and a photograph, where raw
/// does. `porthole-bench zrle-tiles`.
enum ZRLETileBenchmark {
    /// The 1920x1080 frames of the ZRLE micro-benchmarks (this one and `ZRLEDecodeBenchmark`):
    /// text and a desktop, where the packed-palette and RLE tiles do the work, and a photograph,
    /// where raw tiles do.
    static func frames() -> [(String, PixelBuffer)] {
        var page = TextPage(seed: 7)
        return [
            ("text", page.page(width: 1920, height: 1080)),
            ("desktop", TestImages.desktop(width: 1920, height: 1080)),
            ("photo", TestImages.photographic(width: 1920, height: 1080)),
        ]
    }

    static func run(runs: Int) {
        print("# ZRLE tiles at zlib level 0, 1920x1080, median of \(runs) runs")
        print("")
        print("| frame | memcpy ms | tiles ms | vs memcpy | bytes |")
        print("|---|---:|---:|---:|---:|")
        let translator = PixelTranslator(format: .xrgb8888)
        for (name, frame) in frames() {
            let memcpy = ParallelEncodeBenchmark.memcpySeconds(frame, runs: runs)
            var encoder = ZRLEEncoder(compressLevel: 0)
            var bytes = 0
            var out = ByteBuffer()
            out.reserveCapacity(frame.width * frame.height * 4 + 65536)
            let seconds = frame.withView { view in
                median(ParallelEncodeBenchmark.times(runs) {
                    out.clear()
                    _ = encoder.encode(view.bounds, of: view, translator: translator, into: &out)
                    bytes = out.readableBytes
                })
            }
            print("| \(name) | \(String(format: "%.2f", memcpy * 1000)) | \(String(format: "%.2f", seconds * 1000)) | "
                  + "\(String(format: "%.3f", memcpy / seconds)) | \(bytes) |")
        }
    }
}
