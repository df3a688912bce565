import Foundation
import PortholeTestSupport

/// A program a test starts (a server or a real peer), with its output collected as it comes so a
/// test can wait for a line without blocking, and stopped by its own process id only.
final class ChildProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let process = Process()
    private let lock = NSLock()
    private var stdout = ""
    private var stderr = ""

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            // An empty read is end of file: stop watching, or the handler fires forever.
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            let text = String(decoding: data, as: UTF8.self)
            self?.lock.withLock { self?.stdout += text }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            // An empty read is end of file: stop watching, or the handler fires forever.
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            let text = String(decoding: data, as: UTF8.self)
            self?.lock.withLock { self?.stderr += text }
        }
        // Without this the child inherits this thread's blocked SIGTERM (see withDefaultSignalMask).
        try withDefaultSignalMask { try process.run() }
    }

    var output: String { lock.withLock { stdout } }
    var errorOutput: String { lock.withLock { stderr } }

    /// Waits until a line of standard output contains `fragment`, and returns that line.
    func waitForOutputLine(containing fragment: String, timeout: Double) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.contains(fragment) }) { return String(line) }
            guard process.isRunning else {
                throw Failure(description: "\(process.executableURL?.path ?? "?") exited (\(process.terminationStatus)) before printing '\(fragment)': \(errorOutput)")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw Failure(description: "no output line with '\(fragment)' within \(timeout) s; stdout: \(output) stderr: \(errorOutput)")
    }

    /// Waits for the process to exit and returns its status; kills it after `timeout`.
    func waitForExit(timeout: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                terminate()
                throw Failure(description: "\(process.executableURL?.path ?? "?") still running after \(timeout) s")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return process.terminationStatus
    }

    /// Stops the process: SIGTERM to its own pid, then SIGKILL if it is still there after 5 s.
    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
