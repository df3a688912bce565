#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

/// The fixed mmap threshold: after a 33 MB block was freed (which would raise glibc's dynamic
/// threshold to its size), an 8 MiB block still gets a mapping of its own.
///
/// The threshold decides only when no free block fits, so blocks that earlier tests freed into the
/// heap before the policy was applied could serve these allocations: `scripts/run-tests.sh` runs
/// this suite in a process of its own (the "allocator" group), as `porthole serve` applies the
/// policy before it allocates any frame.
struct LargeAllocationPolicyTests {
    @Test func blocksAboveTheThresholdGetTheirOwnMappingAfterAFrameWasFreed() throws {
        try LargeAllocationPolicy.apply()
        let frame = try #require(malloc(3840 * 2160 * 4))
        #expect(LargeAllocationPolicy.hasOwnMapping(frame))
        free(frame)
        let block = try #require(malloc(8 << 20))
        defer { free(block) }
        #expect(LargeAllocationPolicy.hasOwnMapping(block), "an 8 MiB block came from an arena")
        let small = try #require(malloc(64 << 10))
        defer { free(small) }
        #expect(!LargeAllocationPolicy.hasOwnMapping(small), "a 64 KiB block got a mapping of its own")
    }
}
