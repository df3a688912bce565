#if canImport(Glibc)
import Glibc
#endif
import CPortholeShims

/// How the process's allocator treats large blocks: whole frames (8 MB at 1920x1080, 33 MB at
/// 3840x2160) get mappings of their own, returned to the system when freed.
///
/// glibc's default moves its mmap threshold up to the size of the largest block freed so far (at
/// most 32 MiB), so after the first 4K frame is freed every later one comes from one of the
/// per-thread arenas (up to eight per core). A frame freed in the middle of an arena stays
/// resident; with frames allocated on the device thread and freed on whichever event loop let go
/// of them last, the serve process's resident memory grew for minutes to 1.6 GiB while about
/// 0.6 GiB of it was free blocks (docs/benchmarks.md, "Memory"). A fixed threshold keeps large
/// blocks out of the arenas, so resident memory is what is in use. Blocks below it (encoder
/// scratch, messages) stay in the arenas, where reuse is cheap.
public enum LargeAllocationPolicy {
    /// Blocks at least this large get their own mapping: above the per-rectangle buffers the
    /// encoders use every update, below the smallest frame worth keeping out of an arena.
    public static let mmapThreshold = 4 << 20

    /// Sets the threshold for the whole process; call once at start, before frames are made.
    public static func apply() throws {
        guard porthole_set_mmap_threshold(mmapThreshold) == 0 else { throw SystemError(operation: "mallopt(M_MMAP_THRESHOLD)", errno: errno) }
    }

    /// Whether the block `malloc` returned at `block` has a mapping of its own. glibc marks such a
    /// chunk with IS_MMAPPED (0x2) in the size word just before the pointer (malloc/malloc.c,
    /// "chunk representations"). A property of the one block, so it can be checked while other
    /// threads allocate, where process-wide counters (mallinfo2 `hblkhd`) move under the test.
    public static func hasOwnMapping(_ block: UnsafeMutableRawPointer) -> Bool {
        let sizeWord = (block - MemoryLayout<Int>.size).load(as: Int.self)
        return sizeWord & 0x2 != 0
    }
}
