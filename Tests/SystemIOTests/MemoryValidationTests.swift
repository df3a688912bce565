#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

struct MemoryValidationTests {
    @Test func aSealedMemfdThatIsLargeEnoughPasses() throws {
        let memfd = try Memfd.create(name: "fb", size: 4096)
        try memfd.seal([.shrink])
        let memory = try MemoryValidation.validate(fd: memfd.handle.rawValue, requiredSize: 4096)
        #expect(memory.kind == .memfd(seals: [.shrink]))
        #expect(memory.size == 4096)
    }

    @Test func anUnsealedMemfdIsRejected() throws {
        let memfd = try Memfd.create(name: "fb", size: 4096)
        try memfd.seal(.grow)
        #expect(throws: MemoryValidationError.notSealedAgainstShrinking(seals: [.grow])) {
            try MemoryValidation.validate(fd: memfd.handle.rawValue, requiredSize: 10)
        }
        #expect(MemoryValidationError.notSealedAgainstShrinking(seals: []).description
            == "memfd is not sealed against shrinking (F_SEAL_SHRINK); it has no seals")
    }

    @Test func aMemfdThatIsTooSmallIsRejected() throws {
        let memfd = try Memfd.create(name: "fb", size: 1000)
        try memfd.seal(.shrink)
        do {
            _ = try MemoryValidation.validate(fd: memfd.handle.rawValue, requiredSize: 4096)
            Issue.record("a 1000-byte memfd passed for 4096 bytes")
        } catch {
            #expect(error == .tooSmall(kind: .memfd(seals: [.shrink]), size: 1000, required: 4096))
            #expect(error.description == "memfd holds 1000 bytes, the framebuffer needs 4096")
        }
    }

    @Test func aPipeIsNotAMemfd() throws {
        let pipe = makePipe()
        let fd = pipe.read.rawValue
        do {
            _ = try MemoryValidation.validate(fd: fd, requiredSize: 1)
            Issue.record("a pipe passed validation")
        } catch {
            #expect(error == .notSharedMemory(fd: fd))
            #expect(error.description == "fd \(fd) is not a memfd or dma-buf")
        }
    }

    @Test func aRegularFileIsNotAMemfd() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTree(directory) }
        let fd = open(directory + "/file", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        let file = FileDescriptorHandle(adopting: fd)
        #expect(ftruncate(fd, 8192) == 0)
        #expect(throws: MemoryValidationError.notSharedMemory(fd: fd)) {
            try MemoryValidation.validate(fd: file.rawValue, requiredSize: 1)
        }
    }

    @Test func aTmpfsFileIsNotAMemfdThoughItIsShmem() throws {
        let path = "/dev/shm/porthole-systemio-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0, "no /dev/shm here")
        unlink(path)
        let file = FileDescriptorHandle(adopting: fd)
        #expect(throws: MemoryValidationError.notSharedMemory(fd: fd)) {
            try MemoryValidation.validate(fd: file.rawValue, requiredSize: 0)
        }
    }

    @Test func aClosedFdIsASystemError() throws {
        let memfd = try Memfd.create(name: "closed", size: 1)
        let raw = memfd.handle.take()
        close(raw)
        #expect(throws: MemoryValidationError.system(SystemError(operation: "fstat(\(raw))", errno: EBADF))) {
            try MemoryValidation.validate(fd: raw, requiredSize: 1)
        }
    }
}
