import Foundation
import PortholeTestSupport

/// What a finished child process left behind.
struct ProcessResult: Sendable {
    let command: String
    let exitStatus: Int32
    let output: String
    let timedOut: Bool

    var succeeded: Bool { !timedOut && exitStatus == 0 }

    /// A one-paragraph account for test failure messages.
    var summary: String {
        "`\(command)` " + (timedOut ? "timed out" : "exited with \(exitStatus)") + "; output:\n\(output)"
    }
}

/// A child process whose stdout and stderr go to one log file, so that nothing can block on a full
/// pipe and the text can be read at any time (servers print their port there, tests assert on
/// their log lines). Every wait is bounded; a process still running at the end is killed.
final class ChildProcess {
    let command: String
    let logFile: URL
    private let process = Process()

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    init(_ executable: String, _ arguments: [String], logFile: URL,
         environment: [String: String] = [:], standardInput: URL? = nil) throws {
        command = ([executable] + arguments).joined(separator: " ")
        self.logFile = logFile
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw HarnessError("cannot create \(logFile.path)")
        }
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : try requirePeer(executable))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = try standardInput.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        // Without this the child inherits this thread's blocked SIGTERM (see withDefaultSignalMask).
        try withDefaultSignalMask { try process.run() }
        try log.close()
    }

    deinit { stop(grace: 0.5) }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    /// Everything the process has written so far.
    var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits at most `timeout` seconds for the process to exit; kills it if it does not.
    func wait(timeout: Double) async -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let timedOut = process.isRunning
        if timedOut { stop(grace: 1) }
        return ProcessResult(command: command, exitStatus: timedOut ? -1 : process.terminationStatus,
                             output: output, timedOut: timedOut)
    }

    /// Polls the output until `predicate` finds what it looks for, the process exits, or `timeout`
    /// passes. Returns the match, or nil.
    func waitForOutput<T>(timeout: Double, _ predicate: (String) -> T?) async -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = output
            if let found = predicate(text) { return found }
            if !process.isRunning { return predicate(output) }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    /// Asks the process to stop (SIGTERM), then kills it (SIGKILL) after `grace` seconds, and
    /// reaps it. Blocks for at most `grace` plus a moment.
    func stop(grace: Double = 3) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let hardDeadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < hardDeadline { usleep(10_000) }
        }
    }
}

/// Runs short-lived commands (converters, one-shot clients) to completion with a timeout.
enum ProcessRunner {
    /// Runs the command with its output captured in `directory`, for at most `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], in directory: ScratchDirectory,
                    timeout: Double = 30, environment: [String: String] = [:],
                    standardInput: URL? = nil) async throws -> ProcessResult {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let child = try ChildProcess(executable, arguments, logFile: directory.uniqueFile(name, extension: "log"),
                                     environment: environment, standardInput: standardInput)
        return await child.wait(timeout: timeout)
    }

    /// Runs the command and returns its output, throwing with the whole account when it fails.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], in directory: ScratchDirectory,
                      timeout: Double = 30, standardInput: URL? = nil) async throws -> String {
        let result = try await run(executable, arguments, in: directory, timeout: timeout, standardInput: standardInput)
        guard result.succeeded else { throw HarnessError(result.summary) }
        return result.output
    }
}
