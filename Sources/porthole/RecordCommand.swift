import ArgumentParser
import Capture
import Foundation
import Pixels
import PortholeClient

/// `porthole record`: a consumer (docs/protocol.md §6) that subscribes to one output of a display
/// device and writes each frame it receives as a PNG file, or as raw XR24 bytes to stdout.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record frames of a display device's output as PNG files (or raw XR24 frames on stdout).")

    @Argument(help: "The output: its id or its name (as ListOutputs reports them).")
    var output: String

    @Argument(help: "Directory for frame-000001.png, frame-000002.png, ...; not used with --raw.")
    var directory: String?

    @Option(help: "Frames to record before exiting.")
    var frames: Int = 1

    @Option(help: "The display device's socket (default: $XDG_RUNTIME_DIR/porthole-0 or /tmp/porthole-$UID/porthole-0).")
    var socket: String?

    @Flag(help: "Write each frame to stdout as raw XR24 (B, G, R, X bytes, rows packed) instead of PNG files.")
    var raw = false

    @Option(help: "Seconds to wait for each frame.")
    var timeout: Double = 10

    func validate() throws {
        guard frames >= 1 else { throw ValidationError("--frames must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        if raw && directory != nil { throw ValidationError("--raw writes to stdout: give no directory") }
        if !raw && directory == nil { throw ValidationError("give a directory for the PNG files, or --raw") }
    }

    func run() throws {
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let client = try DisplayClient(socketPath: socket, role: .consumer, name: "porthole record", timeout: timeout)
        defer { client.close() }
        let recorder = try FrameRecorder(client: client, selector: output)
        log("output \(recorder.output.outputID) \"\(recorder.output.name)\"")
        var recorded = 0
        while recorded < frames {
            guard let frame = try recorder.nextFrame(timeout: timeout) else {
                log("the output was removed after \(recorded) frames")
                throw ExitCode(3)
            }
            recorded += 1
            if raw {
                try writeToStandardOutput(frame.xr24Bytes)
            } else if let directory {
                let path = (directory as NSString).appendingPathComponent(String(format: "frame-%06d.png", recorded))
                try PNGImage.save(PixelBuffer(width: frame.width, height: frame.height, pixels: frame.pixels), to: path)
            }
            let cursor = frame.cursor.map { " cursor \($0.picture.width)x\($0.picture.height) at \($0.x),\($0.y)" } ?? ""
            log("frame \(recorded) sequence \(frame.sequence) \(frame.width)x\(frame.height) damage \(frame.damage.count) rects\(cursor)")
        }
    }

    /// A progress line on stderr; one that cannot be written is dropped, the recording goes on.
    private func log(_ line: String) {
        try? FileHandle.standardError.write(contentsOf: Data("porthole record: \(line)\n".utf8))
    }

    /// Writes a whole frame to stdout. Foundation's `FileHandle.write(_:)` traps on a failed
    /// write (a full disk crashed the recorder), so the bytes go through write(2) and a failure
    /// ends the recording with its reason. A reader that went away (EPIPE) ends it by SIGPIPE, as
    /// for any filter in a pipeline.
    private func writeToStandardOutput(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw StandardOutputError(reason: String(cString: strerror(code)))
            }
            offset += written
        }
    }
}

/// stdout could not take a recorded frame (a full disk, a closed descriptor).
struct StandardOutputError: Error, CustomStringConvertible {
    let reason: String
    var description: String { "stdout: cannot write: \(reason)" }
}
