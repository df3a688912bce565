import Foundation

/// `porthole serve` running for one test on an ephemeral port. The tests rely only on the command
/// line contract: `--listen 127.0.0.1:0` makes it print `listening on 127.0.0.1:PORT` (on stdout
/// or stderr) once it accepts connections, and it logs one line per viewer connect and disconnect.
final class PortholeServer {
    let port: Int
    private let process: ChildProcess

    /// Everything the server has logged so far (stdout and stderr together).
    var log: String { process.output }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// The binary under test: `$PORTHOLE_BIN` (the Makefile sets it), else `porthole` next to the
    /// test bundle, which is where `swift build` puts both.
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["PORTHOLE_BIN"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw HarnessError("PORTHOLE_BIN=\(path) is not an executable file")
            }
            return path
        }
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testExecutable.deletingLastPathComponent()
        // The test binary may sit inside a bundle directory (`*.xctest/...`); look up past it.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("porthole").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw HarnessError("no porthole binary: set PORTHOLE_BIN or run `swift build` (looked next to \(testExecutable.path))")
    }

    /// Starts `porthole serve --listen 127.0.0.1:0 <arguments>` and waits until it reports its port.
    /// With `descriptorLimit`, the server runs under `ulimit -n` of that many (through sh, which
    /// execs it, so the process is the server's own).
    init(_ arguments: [String], scratch: ScratchDirectory, startTimeout: Double = 60, descriptorLimit: Int? = nil) async throws {
        let command = [try Self.binary(), "serve", "--listen", "127.0.0.1:0"] + arguments
        let logFile = scratch.uniqueFile("porthole-serve", extension: "log")
        if let descriptorLimit {
            let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            process = try ChildProcess("/bin/sh", ["-c", "ulimit -n \(descriptorLimit) && exec \(quoted)"], logFile: logFile)
        } else {
            process = try ChildProcess(command[0], Array(command.dropFirst()), logFile: logFile)
        }
        let found = await process.waitForOutput(timeout: startTimeout) { text in
            text.firstMatch(of: /listening on [^\s]*:(\d+)/).flatMap { Int($0.1) }
        }
        guard let found else {
            let state = process.isRunning ? "still running" : "exited"
            let log = process.output
            process.stop()
            throw HarnessError("`\(process.command)` printed no `listening on HOST:PORT` line within \(startTimeout) s (\(state)); log:\n\(log)")
        }
        port = found
    }

    /// Convenience: the server showing `image` (written as PNG into `scratch`).
    convenience init(serving image: PixelBufferFile, extraArguments: [String] = [], scratch: ScratchDirectory) async throws {
        try await self.init(["--image", image.url.path] + extraArguments, scratch: scratch)
    }

    /// Waits until the log contains a line matching `predicate`, or `timeout` passes. The default
    /// is generous because the integration suite runs its tests in parallel on two cores: a
    /// viewer's disconnect line once came more than 5 s after vncsnapshot returned. Every caller
    /// expects the line, so a passing test waits only as long as the line takes.
    func waitForLogLine(timeout: Double = 20, where predicate: @escaping (Substring) -> Bool) async -> Substring? {
        await process.waitForOutput(timeout: timeout) { text in text.split(separator: "\n").first(where: predicate) }
    }

    func stop() { process.stop() }
    deinit { process.stop() }
}
