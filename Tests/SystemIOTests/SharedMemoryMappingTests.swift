#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

struct SharedMemoryMappingTests {
    @Test func aReadOnlyMappingSeesWhatTheProducerWrites() throws {
        let memfd = try Memfd.create(name: "producer", size: 8192)
        try memfd.seal(.shrink)
        let (mapping, memory) = try SharedMemoryMapping.map(validating: memfd.handle, requiredSize: 8192)
        #expect(memory.size == 8192)
        #expect(mapping.count == 8192)
        #expect(mapping.mutableBytes == nil)
        producerWrite(memfd.handle, [1, 2, 3, 4], at: 5000)
        #expect(Array(mapping.bytes[5000..<5004]) == [1, 2, 3, 4])

        // The producer's own shared mapping writes show up too.
        let producer = try SharedMemoryMapping(fd: memfd.handle, length: 8192, access: .readWrite)
        producer.mutableBytes![100] = 0xAB
        #expect(mapping.bytes[100] == 0xAB)
    }

    @Test func theMappingOutlivesTheFd() throws {
        let memfd = try Memfd.create(name: "outlive", size: 4096)
        try memfd.seal(.shrink)
        producerWrite(memfd.handle, [9], at: 0)
        let mapping = try SharedMemoryMapping(fd: memfd.handle, length: 4096, access: .readOnly)
        try memfd.handle.close()
        #expect(mapping.bytes[0] == 9)
    }

    @Test func mappingAPeersMemoryValidatesFirst() throws {
        let memfd = try Memfd.create(name: "unsealed", size: 4096)
        #expect(throws: MemoryValidationError.notSealedAgainstShrinking(seals: [])) {
            try SharedMemoryMapping.map(validating: memfd.handle, requiredSize: 4096)
        }
    }

    @Test func futureWriteSealStillAllowsReadOnlyMappingsAndTheCreatorsMapping() throws {
        let memfd = try Memfd.create(name: "scanout", size: 4096)
        let writer = try SharedMemoryMapping(fd: memfd.handle, length: 4096, access: .readWrite)
        try memfd.seal([.shrink, .grow, .futureWrite])
        #expect(throws: SystemError.self) { try SharedMemoryMapping(fd: memfd.handle, length: 4096, access: .readWrite) }
        let reader = try SharedMemoryMapping(fd: memfd.handle, length: 4096, access: .readOnly)
        writer.mutableBytes![7] = 42
        #expect(reader.bytes[7] == 42)
    }

    @Test func dmaBufSyncOnAMemfdIsATypedError() throws {
        let memfd = try Memfd.create(name: "not-dmabuf", size: 4096)
        let sync = DmaBufSync(handle: memfd.handle, direction: .read)
        do {
            try sync.start()
            Issue.record("DMA_BUF_IOCTL_SYNC succeeded on a memfd")
        } catch {
            #expect(error.errno == ENOTTY)
            #expect(error.operation.hasPrefix("DMA_BUF_IOCTL_SYNC start"))
        }
    }
}
