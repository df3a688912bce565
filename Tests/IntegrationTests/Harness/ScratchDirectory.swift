import Foundation

/// A private temporary directory per test, so tests that run in parallel never share files. It is
/// removed when the value goes away unless PORTHOLE_KEEP_TEMP is set (for looking at a failure).
final class ScratchDirectory: @unchecked Sendable {
    let url: URL
    private var counter = 0

    init(_ label: String) throws {
        let base = FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("porthole-it-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["PORTHOLE_KEEP_TEMP"] == nil {
            try? FileManager.default.removeItem(at: url)
        }
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// A fresh file name that no other call returned.
    func uniqueFile(_ stem: String, extension ext: String) -> URL {
        counter += 1
        return url.appendingPathComponent("\(stem)-\(counter).\(ext)")
    }
}
