import CTurboJPEGBench
import Foundation
import NIOCore
import Pixels
import PortholeTestSupport
import RFBEncoders

/// Tight with JPEG against its ceiling, libjpeg-turbo compressing the same 1920x1080 frame at the
/// settings Tight uses for QualityLevel 6 (quality 79, 4:4:4, fast DCT), into one buffer allocated
/// once as Tight's `TightJPEGCompressor` does (docs/benchmarks.md, "Tight, JPEG and the demo
/// desktop").
///
/// The two are timed in alternation, one of each per round, and the figure to read is the median
/// of the per-round ratios: on this shared 2-core machine the load changes within seconds, and
/// rows timed one after the other (the first table) can disagree by a factor of three.
enum TightJPEGCeilingBenchmark {
    static func run(runs: Int) {
        let frames: [(String, PixelBuffer)] = [
            ("photo", TestImages.photographic(width: 1920, height: 1080)),
            ("desktop", TestImages.desktop(width: 1920, height: 1080)),
        ]
        let translator = PixelTranslator(format: .xrgb8888)
        print("")
        print("## Tight JPEG q6 against libjpeg-turbo alone, 1920x1080, \(runs) alternating rounds")
        print("")
        print("| frame | libjpeg-turbo ms | Tight JPEG q6 ms | Tight / libjpeg-turbo (median of rounds) | libjpeg-turbo bytes | Tight bytes |")
        print("|---|---:|---:|---:|---:|---:|")
        for (name, frame) in frames {
            let handle = tjInitCompress()!
            let capacity = Int(tjBufSize(Int32(frame.width), Int32(frame.height), Int32(TJSAMP_444.rawValue)))
            let buffer = tjAlloc(Int32(capacity))!
            var encoder = TightEncoder(qualityLevel: 6)
            var output = ByteBuffer()
            output.reserveCapacity(frame.width * frame.height * 4 + 4096)
            var jpegBytes = 0, tightBytes = 0
            func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
            func libjpeg() -> Double {
                let start = now()
                frame.pixels.withUnsafeBytes { raw in
                    var jpeg: UnsafeMutablePointer<UInt8>? = buffer
                    var length = UInt(capacity)
                    let status = tjCompress2(handle, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(frame.width), 0,
                                             Int32(frame.height), Int32(TJPF_BGRX.rawValue), &jpeg, &length,
                                             Int32(TJSAMP_444.rawValue), 79, TJFLAG_FASTDCT | TJFLAG_NOREALLOC)
                    precondition(status == 0 && jpeg == buffer, "tjCompress2 failed")
                    jpegBytes = Int(length)
                }
                return Double(now() - start) / 1e6
            }
            func tight() -> Double {
                output.clear()
                let start = now()
                frame.withView { view in _ = encoder.encode(view.bounds, of: view, translator: translator, into: &output) }
                tightBytes = output.readableBytes
                return Double(now() - start) / 1e6
            }
            _ = libjpeg(); _ = tight() // warm-up: buffers, tables, the JPEG compressor
            var jpegTimes: [Double] = [], tightTimes: [Double] = [], ratios: [Double] = []
            for round in 0..<runs {
                // Alternate which goes first, so neither always runs on the warmer cache.
                let (j, t) = round % 2 == 0 ? (libjpeg(), tight()) : { let t = tight(); return (libjpeg(), t) }()
                jpegTimes.append(j); tightTimes.append(t); ratios.append(t / j)
            }
            tjFree(buffer)
            tjDestroy(handle)
            print("| \(name) | \(String(format: "%.2f", median(jpegTimes))) | \(String(format: "%.2f", median(tightTimes))) | "
                  + "\(String(format: "%.2f", median(ratios))) | \(jpegBytes) | \(tightBytes) |")
        }
    }
}
