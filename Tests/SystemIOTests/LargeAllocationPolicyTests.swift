#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

/// The fixed mmap threshold: after a 33 MB block was freed (which would raise glibc's dynamic
/// threshold to its size), an 8 MiB block still gets a mapping of its own.
struct LargeAllocationPolicyTests {
    @Test func blocksAboveTheThresholdGetTheirOwnMappingAfterAFrameWasFreed() throws {
        try LargeAllocationPolicy.apply()
        let frame = malloc(3840 * 2160 * 4)
        #expect(frame != nil)
        free(frame)
        let before = LargeAllocationPolicy.mappedBlockBytes
        let block = malloc(8 << 20)
        #expect(block != nil)
        #expect(LargeAllocationPolicy.mappedBlockBytes - before >= 8 << 20)
        free(block)
        #expect(LargeAllocationPolicy.mappedBlockBytes == before)
    }
}
