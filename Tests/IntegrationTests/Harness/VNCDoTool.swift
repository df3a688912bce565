import Foundation
import Pixels

/// vncdotool driven as a library by `peers/vncdotool_capture.py`, which asks for exactly one
/// encoding and pixel format and fails when the server answers in another encoding.
enum VNCDoTool {
    enum Encoding: String, CaseIterable, Sendable { case raw, rre, hextile, zrle }

    /// The pixel formats the driver can ask for, with the RFB format each one means.
    enum Format: String, CaseIterable, Sendable {
        /// 32 bpp, shifts 16/8/0: Porthole's native format (no SetPixelFormat is sent).
        case bgrx
        /// 32 bpp, shifts 0/8/16.
        case rgbx
        /// RGB565 little-endian.
        case bgr16

        var pixelFormat: PixelFormat {
            switch self {
            case .bgrx: return .xrgb8888
            case .rgbx: return PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255,
                                           greenMax: 255, blueMax: 255, redShift: 0, greenShift: 8, blueShift: 16)
            case .bgr16: return .rgb565
            }
        }
    }

    static func driver() throws -> URL {
        guard let url = Bundle.module.url(forResource: "vncdotool_capture", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/vncdotool_capture.py is missing from the test bundle's resources")
        }
        return url
    }

    /// Runs one capture into `output` and returns what the driver reported.
    static func capture(port: Int, encoding: Encoding, format: Format, password: String? = nil,
                        to output: URL, scratch: ScratchDirectory) async throws -> ProcessResult {
        try requirePeer("vncdotool")  // the Python package's command line: proof it is installed
        var arguments = [try driver().path, "--port", "\(port)", "--encoding", encoding.rawValue,
                         "--pixel-format", format.rawValue, "--timeout", "60"]
        if let password { arguments += ["--password", password] }
        return try await ProcessRunner.run(try requirePeer("python3"), arguments + [output.path], in: scratch, timeout: 90)
    }

    /// Captures and reads the picture back, throwing with the driver's account when it fails.
    static func captureImage(port: Int, encoding: Encoding, format: Format, password: String? = nil,
                             scratch: ScratchDirectory) async throws -> PixelBuffer {
        let png = scratch.uniqueFile("vncdotool-\(encoding.rawValue)-\(format.rawValue)", extension: "png")
        let result = try await capture(port: port, encoding: encoding, format: format, password: password, to: png, scratch: scratch)
        guard result.succeeded else { throw HarnessError("vncdotool capture failed: \(result.summary)") }
        return try await ImageFiles.readPNG(png, scratch: scratch)
    }
}
