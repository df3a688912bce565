/// Why an fd a peer sent cannot be used as framebuffer memory. The descriptions are meant to be
/// sent back to the peer as they are.
public enum MemoryValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The fd is neither a memfd (shmem) nor a dma-buf: a pipe, socket, regular file, ...
    case notSharedMemory(fd: Int32)
    /// A memfd without F_SEAL_SHRINK: its owner could truncate it under the server's mapping.
    case notSealedAgainstShrinking(seals: Memfd.Seals)
    /// The memory is smaller than what the framebuffer's layout reaches.
    case tooSmall(kind: MemoryValidation.Kind, size: Int, required: Int)
    /// A system call failed while checking.
    case system(SystemError)

    public var description: String {
        switch self {
        case .notSharedMemory(let fd):
            return "fd \(fd) is not a memfd or dma-buf"
        case .notSealedAgainstShrinking(let seals):
            return "memfd is not sealed against shrinking (F_SEAL_SHRINK); it has \(seals)"
        case .tooSmall(let kind, let size, let required):
            return "\(kind.name) holds \(size) bytes, the framebuffer needs \(required)"
        case .system(let error):
            return error.description
        }
    }
}
