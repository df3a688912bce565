import Display
import SystemIO

/// A producer's framebuffer memory as the device reads it: a read-only `SharedMemoryMapping` of a
/// memfd sealed against shrinking (or of a dma-buf), mapped only after `MemoryValidation` checked
/// the seal and the size (docs/protocol.md §11 "Memory rules"). The mapping holds exactly the
/// bytes the framebuffer's layout reaches, so no read through it can fault.
///
/// For a dma-buf every read is bracketed with DMA_BUF_IOCTL_SYNC (§11, "dma-buf"); the fd is kept
/// for that. A memfd's fd is closed once mapped: the mapping outlives it (mmap(2)).
final class MappedFramebufferMemory: FramebufferMemory, @unchecked Sendable {
    private let mapping: SharedMemoryMapping
    private let dmaBufSync: DmaBufSync?

    init(mapping: SharedMemoryMapping, dmaBuf: FileDescriptorHandle?) {
        self.mapping = mapping
        dmaBufSync = dmaBuf.map { DmaBufSync(handle: $0, direction: .read) }
    }

    var byteCount: Int { mapping.count }

    /// A memfd's mapping, which lives as long as this object; a dma-buf's reads need their sync
    /// ioctls around them, so it is never lent.
    var lendableBytes: (bytes: UnsafeRawBufferPointer, owner: AnyObject)? {
        dmaBufSync == nil ? (mapping.bytes, self) : nil
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let dmaBufSync else { return try body(mapping.bytes) }
        // A failed sync ioctl still leaves the mapping readable; the picture may be torn, never unsafe.
        try? dmaBufSync.start()
        defer { try? dmaBufSync.end() }
        return try body(mapping.bytes)
    }
}
