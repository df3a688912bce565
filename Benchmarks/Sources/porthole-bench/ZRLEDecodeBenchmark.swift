import Foundation
import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient
import RFBEncoders

/// RFBClient's ZRLE decoder (inflate, then the tiles drawn into the framebuffer) on whole
/// 1920x1080 frames encoded at the default level 6, against memcpy of the same frame. The
/// measuring viewers of bench/run-peers.sh and bench/four-4k.sh decode with it on the same two
/// cores as the servers they measure, so a slow decoder delays every server's frames and takes
/// CPU from them: once it drew pixel by pixel through `PixelBuffer.pixels` and the four-4K
/// viewers spent 150% CPU in retain and release (docs/benchmarks.md, "Four 4K outputs").
/// `porthole-bench zrle-decode`.
enum ZRLEDecodeBenchmark {
    static func run(runs: Int) {
        print("# ZRLE decode (RFBClient), 1920x1080 frames encoded at level 6, median of \(runs) runs")
        print("")
        print("| frame | memcpy ms | decode ms | MP/s | vs memcpy | bytes |")
        print("|---|---:|---:|---:|---:|---:|")
        let translator = PixelTranslator(format: .xrgb8888)
        for (name, frame) in ZRLETileBenchmark.frames() {
            let memcpy = ParallelEncodeBenchmark.memcpySeconds(frame, runs: runs)
            var encoder = ZRLEEncoder(compressLevel: 6)
            var encoded = ByteBuffer()
            _ = frame.withView { view in encoder.encode(view.bounds, of: view, translator: translator, into: &encoded) }
            var target = PixelBuffer(width: frame.width, height: frame.height, fill: 0)
            var failure: String?
            let seconds = median(ParallelEncodeBenchmark.times(runs) {
                // A fresh decoder each time: the data begins a zlib stream. The encoder wrote
                // whole rectangles (bands of tile rows, each after its 12-byte header, RFC 6143
                // §7.6.1); the viewer reads each header before the decoder reads the data.
                var decoder = ZRLEDecoder()
                var input = encoded
                while failure == nil, let x = input.readInteger(as: UInt16.self), let y = input.readInteger(as: UInt16.self),
                      let w = input.readInteger(as: UInt16.self), let h = input.readInteger(as: UInt16.self),
                      input.readInteger(as: Int32.self) != nil {
                    do throws(RectangleDecodingError) {
                        try decoder.decode(Rect(x: Int(x), y: Int(y), width: Int(w), height: Int(h)), from: &input,
                                           format: .xrgb8888, into: &target)
                    } catch {
                        failure = "\(error)"
                    }
                }
            })
            guard failure == nil, target == frame else {
                print("| \(name) | decoding failed: \(failure ?? "the picture differs") | | | | |")
                continue
            }
            let megapixelsPerSecond = Double(frame.width * frame.height) / 1e6 / seconds
            print("| \(name) | \(String(format: "%.2f", memcpy * 1000)) | \(String(format: "%.2f", seconds * 1000)) | "
                  + "\(String(format: "%.0f", megapixelsPerSecond)) | \(String(format: "%.3f", memcpy / seconds)) | \(encoded.readableBytes) |")
        }
    }
}
