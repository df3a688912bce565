#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// An anonymous shared-memory file from memfd_create(2), created with MFD_CLOEXEC and
/// MFD_ALLOW_SEALING.
///
/// Memfds are how producers hand framebuffers to the server and how the server hands scanouts to
/// consumers: the fd travels over the socket (unix(7) SCM_RIGHTS) and both sides mmap it. File
/// seals (fcntl(2) "File Sealing") are what make that safe for the side that did not create it:
/// - `.shrink` (F_SEAL_SHRINK) means the file can never become smaller, so a reader that checked
///   the size once cannot be hit by SIGBUS later. The server maps producer memory only when it
///   carries this seal (see `MemoryValidation`).
/// - `.futureWrite` (F_SEAL_FUTURE_WRITE) forbids new writable mappings and write(2), while the
///   creator's existing writable mapping keeps working: a producer-of-pixels can keep drawing
///   while readers it hands the fd to can only read.
/// - `.seal` (F_SEAL_SEAL) forbids adding or removing seals from then on.
public struct Memfd: Sendable {
    /// File seals, fcntl(2) "File Sealing".
    public struct Seals: OptionSet, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let seal = Seals(rawValue: PORTHOLE_SEAL_SEAL)
        public static let shrink = Seals(rawValue: PORTHOLE_SEAL_SHRINK)
        public static let grow = Seals(rawValue: PORTHOLE_SEAL_GROW)
        public static let write = Seals(rawValue: PORTHOLE_SEAL_WRITE)
        public static let futureWrite = Seals(rawValue: PORTHOLE_SEAL_FUTURE_WRITE)

        public var description: String {
            let names: [(Seals, String)] = [
                (.seal, "F_SEAL_SEAL"), (.shrink, "F_SEAL_SHRINK"), (.grow, "F_SEAL_GROW"),
                (.write, "F_SEAL_WRITE"), (.futureWrite, "F_SEAL_FUTURE_WRITE"),
            ]
            let present = names.filter { contains($0.0) }.map(\.1)
            return present.isEmpty ? "no seals" : present.joined(separator: "|")
        }
    }

    /// The memfd's fd.
    public let handle: FileDescriptorHandle

    /// Wraps an fd already known to be a memfd. For fds from a peer, run `MemoryValidation` first.
    public init(adopting handle: FileDescriptorHandle) {
        self.handle = handle
    }

    /// Creates a memfd of `size` bytes (zero-filled). `name` shows in /proc/PID/fd as
    /// "/memfd:NAME" and is for debugging only; memfd_create(2) limits it to 249 bytes.
    public static func create(name: String, size: Int) throws(SystemError) -> Memfd {
        precondition(size >= 0, "memfd size must not be negative")
        let fd = try retryingOnInterrupt("memfd_create(\(name))") { porthole_memfd_create(name) }
        let memfd = Memfd(adopting: FileDescriptorHandle(adopting: fd))
        try memfd.resize(to: size)
        return memfd
    }

    /// Adds seals; seals can only ever be added. Fails with EPERM once `.seal` is set, and with
    /// EBUSY when adding `.write` while a writable shared mapping exists.
    public func seal(_ seals: Seals) throws(SystemError) {
        let fd = handle.rawValue
        _ = try retryingOnInterrupt("fcntl(\(fd), F_ADD_SEALS, \(seals))") { porthole_add_seals(fd, seals.rawValue) }
    }

    /// The seals now set (F_GET_SEALS).
    public var seals: Seals {
        get throws(SystemError) {
            let fd = handle.rawValue
            let raw = try retryingOnInterrupt("fcntl(\(fd), F_GET_SEALS)") { porthole_get_seals(fd) }
            return Seals(rawValue: raw)
        }
    }

    /// The size in bytes, from fstat(2).
    public func size() throws(SystemError) -> Int {
        try handle.fileSize()
    }

    /// ftruncate(2). Fails with EPERM when a seal forbids the change (`.shrink` or `.grow`).
    public func resize(to size: Int) throws(SystemError) {
        let fd = handle.rawValue
        _ = try retryingOnInterrupt("ftruncate(\(fd), \(size))") { ftruncate(fd, off_t(size)) }
    }
}
