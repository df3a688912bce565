import Foundation
import Pixels

/// vncsnapshot (TightVNC 1.2.8 based). It writes JPEG only, so its captures are compared by PSNR.
/// It hangs against some servers with its default encodings, hence `-encodings "hextile raw"`.
enum VNCSnapshot {
    static func capture(port: Int, obfuscatedPasswordFile: URL? = nil, scratch: ScratchDirectory) async throws -> PixelBuffer {
        let jpeg = scratch.uniqueFile("vncsnapshot", extension: "jpg")
        var arguments = ["-quiet", "-encodings", "hextile raw", "-quality", "100"]
        if let file = obfuscatedPasswordFile { arguments += ["-passwd", file.path] }
        // HOST::PORT names a port; HOST:N would mean display N (port 5900 + N).
        try await ProcessRunner.check(try requirePeer("vncsnapshot"), arguments + ["127.0.0.1::\(port)", jpeg.path],
                                      in: scratch, timeout: 30)
        return try await ImageFiles.readJPEG(jpeg, scratch: scratch)
    }
}
