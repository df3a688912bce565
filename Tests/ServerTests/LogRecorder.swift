import Foundation
import Logging

/// Collects a test server's log lines in memory, as "level message", so a test can assert on what
/// the server told its operator (a disconnect reason, a refusal) rather than only on its behaviour.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []

    /// A logger whose every line lands in this recorder (trace level, so nothing is filtered out).
    func makeLogger() -> Logger {
        var logger = Logger(label: "porthole-test") { _ in RecordingLogHandler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    func append(_ line: String) { lock.withLock { recorded.append(line) } }

    var lines: [String] { lock.withLock { recorded } }

    /// The lines that contain every one of `fragments`.
    func lines(containing fragments: String...) -> [String] {
        lines.filter { line in fragments.allSatisfy { line.contains($0) } }
    }

    /// Waits until a line containing every one of `fragments` has been logged; false on timeout.
    func waitForLine(containing fragments: String..., timeout: Double = TestPatience.seconds) async -> Bool {
        await eventually(timeout: timeout) { self.lines.contains { line in fragments.allSatisfy { line.contains($0) } } }
    }
}

/// The `LogHandler` behind `LogRecorder.makeLogger()`: renders each message with its level and
/// hands it to the recorder.
struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append("\(event.level) \(event.message)")
    }
}
