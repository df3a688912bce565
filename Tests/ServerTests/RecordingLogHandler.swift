import Foundation
import Logging

/// Keeps every log line of an in-process server, so tests can check that an error was reported
/// for the right peer.
final class LogRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    /// A logger that writes into this record (and nowhere else).
    func logger() -> Logger {
        var logger = Logger(label: "porthole-test") { _ in RecordingLogHandler(record: self) }
        logger.logLevel = .debug
        return logger
    }

    /// Waits until a line containing every one of `fragments` was logged.
    func waitForLine(containing fragments: [String], timeout: Double = 10) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = all.first(where: { line in fragments.allSatisfy { line.contains($0) } }) { return line }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return nil
    }
}

struct RecordingLogHandler: LogHandler {
    let record: LogRecord
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        record.append("\(event.level) \(event.message)")
    }
}
