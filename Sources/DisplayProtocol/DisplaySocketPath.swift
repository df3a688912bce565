/// Where the server listens by default (docs/protocol.md §2 "Transport").
///
/// Pure: the caller passes the environment's `XDG_RUNTIME_DIR` and the user id.
public enum DisplaySocketPath {
    /// The socket's file name for display 0.
    public static let defaultName = "porthole-0"

    /// `$XDG_RUNTIME_DIR/porthole-0` when the runtime directory is set and absolute, otherwise
    /// `/tmp/porthole-$UID/porthole-0`.
    public static func defaultPath(runtimeDirectory: String?, userID: UInt32) -> String {
        if let runtimeDirectory, runtimeDirectory.hasPrefix("/") {
            let trimmed = runtimeDirectory.hasSuffix("/") ? String(runtimeDirectory.dropLast()) : runtimeDirectory
            return trimmed + "/" + defaultName
        }
        return fallbackDirectory(userID: userID) + "/" + defaultName
    }

    /// `/tmp/porthole-$UID`, which the server creates with mode 0700 when it falls back to it.
    public static func fallbackDirectory(userID: UInt32) -> String { "/tmp/porthole-\(userID)" }
}
