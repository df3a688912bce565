#if canImport(Glibc)
import Glibc
#endif

/// Whether a directory is safe to put a listening socket in: nobody but its owner, this user or
/// root, can remove or replace the socket there.
///
/// Why: the default socket falls back to `/tmp/porthole-$UID` (`DisplaySocketPath`). Another user
/// can create that directory first, and the server used to accept it as it found it. Its owner
/// could then unlink the socket and bind one of their own, and this user's producers would send
/// their framebuffers to that process. The rule is the one tmux and OpenSSH apply to their
/// sockets' directories: the directory must belong to this user or to root. If group or others
/// may write to it, it also needs the sticky bit (as `/tmp` has), so that only a file's owner can
/// unlink or rename the file.
///
/// `problem` is pure (the caller passes what stat(2) said and its effective user id); `verify`
/// stats the directory of a socket path and throws the problem.
public enum SocketDirectoryCheck {
    /// Why `directory` (owned by `ownerID`, with `mode` from st_mode) is unsafe for a socket of
    /// user `userID`, or nil when it is safe.
    public static func problem(directory: String, ownerID: UInt32, mode: UInt32, userID: UInt32) -> String? {
        if ownerID != userID && ownerID != 0 {
            return "\(directory) belongs to user \(ownerID), who could replace the socket; remove it or choose another path"
        }
        let writableByOthers = mode & UInt32(S_IWGRP | S_IWOTH) != 0
        if writableByOthers && mode & UInt32(S_ISVTX) == 0 {
            return "\(directory) is writable by other users and not sticky (mode \(String(mode & 0o7777, radix: 8))), so they could replace the socket"
        }
        return nil
    }

    /// Throws EPERM with the problem when the directory of `socketPath` is unsafe. Servers check
    /// before they bind; clients before they connect to the default path, which they did not
    /// choose.
    public static func verify(socketPath path: String) throws(SystemError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        // stat, not lstat: bind(2) and connect(2) follow a symbolic link to the directory, so
        // its target is what counts.
        var st = stat()
        if stat(directory, &st) != 0 { throw SystemError.last("stat(\(directory))") }
        if let problem = problem(directory: directory, ownerID: st.st_uid, mode: st.st_mode, userID: geteuid()) {
            throw SystemError(operation: "socket \(path)", errno: EPERM, detail: problem)
        }
    }
}
