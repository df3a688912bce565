#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// Checks an fd a peer sent before the server maps it as framebuffer memory.
///
/// The rule: **only map memfds sealed against shrinking, after checking size >= needed.** A
/// mapping of a file that is later truncated raises SIGBUS on access to the lost pages (mmap(2),
/// "SIGBUS"), which would kill the server for every client. F_SEAL_SHRINK (fcntl(2) "File
/// Sealing") guarantees the size checked here can only grow. dma-bufs have a fixed size set by
/// their exporter, so they need no seal; their size is read with lseek(SEEK_END), as the kernel's
/// dma-buf documentation prescribes.
///
/// A memfd is recognised by fstat(2) reporting a regular file on which F_GET_SEALS succeeds (that
/// call fails with EINVAL on every file that is not shmem) and whose /proc/self/fd link names a
/// "memfd:" file, which tells it from a file in a tmpfs mount such as /dev/shm.
/// A dma-buf is recognised by fstatfs(2) reporting DMA_BUF_MAGIC.
public enum MemoryValidation {
    /// What kind of shared memory an fd holds.
    public enum Kind: Equatable, Sendable {
        case memfd(seals: Memfd.Seals)
        case dmaBuf

        /// "memfd" or "dma-buf", for messages.
        public var name: String {
            switch self {
            case .memfd: return "memfd"
            case .dmaBuf: return "dma-buf"
            }
        }
    }

    /// An fd that passed validation.
    public struct ValidatedMemory: Equatable, Sendable {
        public let kind: Kind
        /// The size when checked; for a memfd sealed against shrinking it can only grow.
        public let size: Int
    }

    /// Classifies `fd` without requiring anything of it.
    public static func kind(of fd: Int32) throws(MemoryValidationError) -> Kind {
        let isMemfd = porthole_is_memfd(fd)
        if isMemfd < 0 { throw .system(SystemError.last("fstat(\(fd))")) }
        if isMemfd == 1 {
            let raw = porthole_get_seals(fd)
            if raw < 0 { throw .system(SystemError.last("fcntl(\(fd), F_GET_SEALS)")) }
            return .memfd(seals: Memfd.Seals(rawValue: raw))
        }
        let isDmaBuf = porthole_is_dmabuf(fd)
        if isDmaBuf < 0 { throw .system(SystemError.last("fstatfs(\(fd))")) }
        if isDmaBuf == 1 { return .dmaBuf }
        throw .notSharedMemory(fd: fd)
    }

    /// Checks that `fd` is a memfd sealed against shrinking or a dma-buf, holding at least
    /// `requiredSize` bytes.
    public static func validate(fd: Int32, requiredSize: Int) throws(MemoryValidationError) -> ValidatedMemory {
        let kind = try kind(of: fd)
        let size: Int
        switch kind {
        case .memfd(let seals):
            guard seals.contains(.shrink) else { throw .notSealedAgainstShrinking(seals: seals) }
            var st = stat()
            if fstat(fd, &st) != 0 { throw .system(SystemError.last("fstat(\(fd))")) }
            size = Int(st.st_size)
        case .dmaBuf:
            let end = lseek(fd, 0, SEEK_END)
            if end < 0 { throw .system(SystemError.last("lseek(\(fd), 0, SEEK_END)")) }
            size = Int(end)
        }
        guard size >= requiredSize else { throw .tooSmall(kind: kind, size: size, required: requiredSize) }
        return ValidatedMemory(kind: kind, size: size)
    }
}
