import Foundation

/// Finds a peer program in PATH, or throws, which fails the calling test (it never skips it): the
/// suite exists to prove Porthole works with these clients, so their absence is a broken set-up,
/// and `scripts/install-deps.sh --peers` is the fix.
@discardableResult
func requirePeer(_ name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw HarnessError("peer program `\(name)` is not installed (not found in PATH); run `scripts/install-deps.sh --peers`")
}
