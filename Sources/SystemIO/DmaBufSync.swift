#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// The DMA_BUF_IOCTL_SYNC bracket around CPU access to a mapped dma-buf.
///
/// The kernel's dma-buf documentation (linux/dma-buf.h, "CPU access to DMA buffer objects")
/// requires a mapping's CPU reads and writes to sit between a SYNC_START and a SYNC_END with the
/// same direction, so caches are made coherent with the device. memfds need no bracket. The ioctl
/// may return EAGAIN or EINTR, in which case it is restarted, as that documentation says.
public struct DmaBufSync: Sendable {
    public enum Direction: Sendable {
        case read, write, readWrite

        var flags: UInt64 {
            switch self {
            case .read: return UInt64(PORTHOLE_DMA_BUF_SYNC_READ)
            case .write: return UInt64(PORTHOLE_DMA_BUF_SYNC_WRITE)
            case .readWrite: return UInt64(PORTHOLE_DMA_BUF_SYNC_READ | PORTHOLE_DMA_BUF_SYNC_WRITE)
            }
        }
    }

    public let handle: FileDescriptorHandle
    public let direction: Direction

    public init(handle: FileDescriptorHandle, direction: Direction = .read) {
        self.handle = handle
        self.direction = direction
    }

    /// DMA_BUF_SYNC_START: call before touching the mapping.
    public func start() throws(SystemError) {
        try sync(UInt64(PORTHOLE_DMA_BUF_SYNC_START), "start")
    }

    /// DMA_BUF_SYNC_END: call when done with the mapping.
    public func end() throws(SystemError) {
        try sync(UInt64(PORTHOLE_DMA_BUF_SYNC_END), "end")
    }

    /// Runs `body` between `start()` and `end()`; `end()` runs even when `body` throws.
    public func withAccess<R>(_ body: () throws -> R) throws -> R {
        try start()
        defer { try? end() }
        return try body()
    }

    private func sync(_ phase: UInt64, _ name: String) throws(SystemError) {
        let fd = handle.rawValue
        let flags = phase | direction.flags
        while true {
            if porthole_dmabuf_sync(fd, flags) == 0 { return }
            let error = SystemError.last("DMA_BUF_IOCTL_SYNC \(name) (fd \(fd))")
            if error.errno == EINTR || error.errno == EAGAIN { continue }
            throw error
        }
    }
}
