#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SystemIO

struct MemfdTests {
    @Test func createGivesAZeroFilledFileOfTheRequestedSize() throws {
        let memfd = try Memfd.create(name: "test", size: 4096)
        #expect(try memfd.size() == 4096)
        #expect(readBack(memfd.handle, count: 16) == [UInt8](repeating: 0, count: 16))
        #expect(try memfd.handle.isCloseOnExec())
        #expect(try memfd.seals == [])
    }

    @Test func sealsAccumulateAndDescribeThemselves() throws {
        let memfd = try Memfd.create(name: "seals", size: 64)
        try memfd.seal([.shrink, .grow])
        #expect(try memfd.seals == [.shrink, .grow])
        try memfd.seal(.seal)
        #expect(try memfd.seals == [.shrink, .grow, .seal])
        #expect(Memfd.Seals([.shrink, .seal]).description == "F_SEAL_SEAL|F_SEAL_SHRINK")
        #expect(throws: SystemError.self) { try memfd.seal(.write) }
    }

    @Test func theShrinkSealStopsTheProducerFromTruncating() throws {
        let memfd = try Memfd.create(name: "shrink", size: 8192)
        try memfd.seal(.shrink)
        #expect(ftruncate(memfd.handle.rawValue, 100) == -1)
        #expect(errno == EPERM)
        do {
            try memfd.resize(to: 0)
            Issue.record("resize below a shrink seal succeeded")
        } catch {
            #expect(error.errno == EPERM)
            #expect(error.description.contains("ftruncate"))
        }
        try memfd.resize(to: 16384)
        #expect(try memfd.size() == 16384)
    }

    @Test func theGrowSealStopsGrowth() throws {
        let memfd = try Memfd.create(name: "grow", size: 100)
        try memfd.seal(.grow)
        #expect(throws: SystemError(operation: "ftruncate(\(memfd.handle.rawValue), 200)", errno: EPERM)) {
            try memfd.resize(to: 200)
        }
    }

    @Test func handlesCloseOnceAndDuplicate() throws {
        let memfd = try Memfd.create(name: "dup", size: 10)
        let copy = try memfd.handle.duplicate()
        #expect(copy.rawValue != memfd.handle.rawValue)
        #expect(try copy.isCloseOnExec())
        try memfd.handle.close()
        try memfd.handle.close()
        #expect(!memfd.handle.isOpen)
        #expect(try copy.fileSize() == 10)
        let raw = copy.take()
        #expect(!copy.isOpen)
        #expect(fcntl(raw, F_GETFD) >= 0)
        close(raw)
    }
}
