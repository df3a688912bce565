import Foundation
import Pixels

/// libvncclient (LibVNCServer's client library, C, written by others) driven by
/// `peers/libvncclient_capture.c`, which the harness compiles against the Debian library. It is
/// the one real client here that decodes ZRLE at 16 bpp and 8 bpp in any pixel format the client
/// picks, so it proves ZRLE's 2-byte and 1-byte CPIXELs, which no viewer in the suite can.
enum LibVNCClient {
    /// The pixel formats the driver can ask for (all little-endian), named as the driver names them.
    enum Format: String, CaseIterable, Sendable {
        case rgb565, bgr233, xrgb8888

        var pixelFormat: PixelFormat {
            switch self {
            case .rgb565: return .rgb565
            case .bgr233: return .bgr233
            case .xrgb8888: return .xrgb8888
            }
        }
    }

    /// Compiles the driver into `scratch` and returns its path.
    static func buildDriver(in scratch: ScratchDirectory) async throws -> String {
        try await CPeerProgram.build("libvncclient_capture", against: "libvncclient", in: scratch)
    }

    /// Connects to 127.0.0.1:`port`, takes the first full update in `format` with `encoding` as
    /// the only encoding offered, and returns the picture as the canonical colours of the pixel
    /// values libvncclient decoded.
    static func captureImage(port: Int, encoding: String, format: Format, scratch: ScratchDirectory) async throws -> PixelBuffer {
        let driver = try await buildDriver(in: scratch)
        let output = scratch.uniqueFile("libvncclient-\(encoding)-\(format.rawValue)", extension: "lvc")
        let result = try await ProcessRunner.run(driver, ["127.0.0.1", "\(port)", format.rawValue, encoding, output.path],
                                                 in: scratch, timeout: 90)
        guard result.succeeded else { throw HarnessError("libvncclient capture failed: \(result.summary)") }
        return try decode(Data(contentsOf: output), format: format.pixelFormat)
    }

    /// Reads the driver's file: a header line `LVC1 W H BPP`, then W*H little-endian pixel values.
    static func decode(_ data: Data, format: PixelFormat) throws -> PixelBuffer {
        guard let newline = data.firstIndex(of: 0x0a) else { throw HarnessError("libvncclient capture has no header line") }
        let fields = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        guard fields.count == 4, fields[0] == "LVC1", let width = Int(fields[1]), let height = Int(fields[2]),
              let bitsPerPixel = Int(fields[3]), bitsPerPixel == Int(format.bitsPerPixel), width > 0, height > 0 else {
            throw HarnessError("libvncclient capture header is not `LVC1 W H \(format.bitsPerPixel)`: \(fields)")
        }
        let bytesPerPixel = bitsPerPixel / 8
        let body = data[(newline + 1)...]
        guard body.count == width * height * bytesPerPixel else {
            throw HarnessError("libvncclient capture holds \(body.count) bytes, not \(width * height * bytesPerPixel)")
        }
        var pixels = [UInt32](repeating: 0, count: width * height)
        body.withUnsafeBytes { raw in
            for i in 0..<pixels.count {
                let value = PixelTranslator.load(from: raw.baseAddress! + i * bytesPerPixel, format: format)
                pixels[i] = PixelTranslator.canonical(fromPixelValue: value, format: format)
            }
        }
        return PixelBuffer(width: width, height: height, pixels: pixels)
    }
}
