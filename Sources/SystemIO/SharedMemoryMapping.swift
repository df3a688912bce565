#if canImport(Glibc)
import Glibc
#endif

/// A MAP_SHARED mapping of a memfd or dma-buf, unmapped when the object goes away (mmap(2),
/// munmap(2)).
///
/// The mapping stays valid after the fd is closed, so the server may keep only the mapping.
///
/// Mapping a peer's memory: **only map memfds sealed against shrinking, after checking
/// size >= needed.** `map(validating:requiredSize:access:)` does both (through
/// `MemoryValidation`) and maps exactly the bytes the framebuffer needs, so no access through
/// `bytes` can fault. The plain initializer does no such check and is for memory this process
/// created itself.
///
/// mmap offsets must be page-aligned; a framebuffer with a byte offset is mapped from 0 with
/// `offset + size` bytes and read at its offset.
public final class SharedMemoryMapping: @unchecked Sendable {
    public enum Access: Sendable {
        /// PROT_READ: what the server uses for producer memory; it works on memfds sealed with
        /// F_SEAL_WRITE or F_SEAL_FUTURE_WRITE too.
        case readOnly
        /// PROT_READ | PROT_WRITE: for memory this process writes (consumer scanout buffers).
        case readWrite
    }

    public let access: Access
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Maps `length` bytes of `fd` from `offset` (a multiple of the page size).
    public init(fd: FileDescriptorHandle, length: Int, offset: Int = 0, access: Access) throws(SystemError) {
        precondition(length > 0, "a mapping needs at least one byte")
        let raw = fd.rawValue
        let protection = access == .readOnly ? PROT_READ : PROT_READ | PROT_WRITE
        let result = mmap(nil, length, protection, MAP_SHARED, raw, off_t(offset))
        guard let result, result != MAP_FAILED else {
            throw SystemError.last("mmap(fd \(raw), \(length) bytes at \(offset))")
        }
        self.base = result
        self.length = length
        self.access = access
    }

    /// Validates a peer's fd with `MemoryValidation.validate` and maps its first `requiredSize`
    /// bytes.
    public static func map(validating fd: FileDescriptorHandle, requiredSize: Int, access: Access = .readOnly) throws(MemoryValidationError) -> (mapping: SharedMemoryMapping, memory: MemoryValidation.ValidatedMemory) {
        let memory = try MemoryValidation.validate(fd: fd.rawValue, requiredSize: requiredSize)
        do {
            return (try SharedMemoryMapping(fd: fd, length: requiredSize, access: access), memory)
        } catch {
            throw .system(error)
        }
    }

    deinit {
        munmap(base, length)
    }

    /// The mapped bytes. Valid as long as this object is alive.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: length)
    }

    /// The mapped bytes for writing, or nil for a read-only mapping.
    public var mutableBytes: UnsafeMutableRawBufferPointer? {
        access == .readWrite ? UnsafeMutableRawBufferPointer(start: base, count: length) : nil
    }

    public var count: Int { length }
}
