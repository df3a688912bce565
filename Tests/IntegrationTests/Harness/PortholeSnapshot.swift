import Foundation
import Pixels

/// `porthole snapshot HOST:PORT OUT.png [--encoding E] [--password-file F]`: Porthole's own client.
enum PortholeSnapshot {
    static func run(port: Int, encoding: String, passwordFile: URL? = nil, to output: URL,
                    scratch: ScratchDirectory) async throws -> ProcessResult {
        var arguments = ["snapshot", "127.0.0.1:\(port)", output.path, "--encoding", encoding]
        if let passwordFile { arguments += ["--password-file", passwordFile.path] }
        return try await ProcessRunner.run(try PortholeServer.binary(), arguments, in: scratch, timeout: 30)
    }

    static func captureImage(port: Int, encoding: String, passwordFile: URL? = nil, scratch: ScratchDirectory) async throws -> PixelBuffer {
        let png = scratch.uniqueFile("porthole-snapshot-\(encoding)", extension: "png")
        let result = try await run(port: port, encoding: encoding, passwordFile: passwordFile, to: png, scratch: scratch)
        guard result.succeeded else { throw HarnessError("porthole snapshot failed: \(result.summary)") }
        return try await ImageFiles.readPNG(png, scratch: scratch)
    }
}
