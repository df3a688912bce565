import Foundation
import Pixels

/// Picture files in the formats the peers speak, converted with netpbm so that the test target
/// needs no image library: PNG (what Porthole serves and vncdotool and `porthole snapshot` write),
/// XWD (what xwud shows and xwd grabs) and JPEG (what vncsnapshot writes; read with djpeg).
enum ImageFiles {
    static func writePNG(_ image: PixelBuffer, to url: URL, scratch: ScratchDirectory) async throws {
        let ppm = scratch.uniqueFile("fixture", extension: "ppm")
        try PortablePixmap.write(image, to: ppm)
        try await convert(try requirePeer("pnmtopng"), [ppm.path], to: url, scratch: scratch)
    }

    static func readPNG(_ url: URL, scratch: ScratchDirectory) async throws -> PixelBuffer {
        try await readThroughPNM(try requirePeer("pngtopnm"), [url.path], scratch: scratch)
    }

    static func writeXWD(_ image: PixelBuffer, to url: URL, scratch: ScratchDirectory) async throws {
        let ppm = scratch.uniqueFile("fixture", extension: "ppm")
        try PortablePixmap.write(image, to: ppm)
        try await convert(try requirePeer("pnmtoxwd"), [ppm.path], to: url, scratch: scratch)
    }

    static func readXWD(_ url: URL, scratch: ScratchDirectory) async throws -> PixelBuffer {
        try await readThroughPNM(try requirePeer("xwdtopnm"), [url.path], scratch: scratch)
    }

    static func readJPEG(_ url: URL, scratch: ScratchDirectory) async throws -> PixelBuffer {
        try await readThroughPNM(try requirePeer("djpeg"), ["-pnm", url.path], scratch: scratch)
    }

    private static func readThroughPNM(_ tool: String, _ arguments: [String], scratch: ScratchDirectory) async throws -> PixelBuffer {
        let pnm = scratch.uniqueFile("converted", extension: "pnm")
        try await convert(tool, arguments, to: pnm, scratch: scratch)
        return try PortablePixmap.read(pnm)
    }

    /// Runs a converter that writes its result to stdout, sending that into `output` (the
    /// converter's stderr goes to the runner's log, so chatter cannot corrupt the picture).
    private static func convert(_ tool: String, _ arguments: [String], to output: URL, scratch: ScratchDirectory) async throws {
        try await ProcessRunner.check("/bin/sh", ["-c", "out=$1; shift; exec \"$@\" > \"$out\"", "sh", output.path, tool] + arguments,
                                      in: scratch, timeout: 30)
    }
}
