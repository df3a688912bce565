import Foundation

/// `peers/extended_clipboard.py`: a minimal RFB viewer that speaks only the Extended Clipboard
/// pseudo-encoding (UTF-8 text), to read and set a server's clipboard without any desktop. No
/// VNC client library installed here implements that extension, so the driver uses raw sockets.
enum ExtendedClipboardPeer {
    static func driver() throws -> URL {
        guard let url = Bundle.module.url(forResource: "extended_clipboard", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/extended_clipboard.py is missing from the test bundle's resources")
        }
        return url
    }

    /// One `read`: the text the server's clipboard holds, nil when it holds none (exit 6), or a
    /// thrown error with the driver's account for any other failure.
    static func read(port: Int, scratch: ScratchDirectory) async throws -> String? {
        let output = scratch.uniqueFile("clipboard-read", extension: "txt")
        let result = try await ProcessRunner.run(try requirePeer("python3"),
                                                 [try driver().path, "read", "--port", "\(port)", "--timeout", "20", "--out", output.path],
                                                 in: scratch, timeout: 30)
        if !result.timedOut && result.exitStatus == 6 { return nil }
        guard result.succeeded else { throw HarnessError("extended clipboard read failed: \(result.summary)") }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }

    /// Reads the server's clipboard until it holds `expected` or `timeout` passes; returns the
    /// last text read (nil: none).
    static func waitForText(_ expected: String, port: Int, timeout: Double = 45, scratch: ScratchDirectory) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var text = try await read(port: port, scratch: scratch)
        while text != expected && Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            text = try await read(port: port, scratch: scratch)
        }
        return text
    }

    /// Sets the server's clipboard to `text` as a viewer would: notify, then provide on request.
    static func write(_ text: String, port: Int, scratch: ScratchDirectory) async throws {
        let input = scratch.uniqueFile("clipboard-write", extension: "txt")
        try Data(text.utf8).write(to: input)
        let result = try await ProcessRunner.run(try requirePeer("python3"),
                                                 [try driver().path, "write", "--port", "\(port)", "--timeout", "20", "--in", input.path],
                                                 in: scratch, timeout: 30)
        guard result.succeeded else { throw HarnessError("extended clipboard write failed: \(result.summary)") }
    }
}
