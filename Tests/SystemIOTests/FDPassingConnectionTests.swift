#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import SystemIO

struct FDPassingConnectionTests {
    /// Three memfds holding 1, 2 and 3, to tell them apart on the other side.
    func threeMemfds() throws -> [FileDescriptorHandle] {
        try (1...3).map { value in
            let memfd = try Memfd.create(name: "passed-\(value)", size: 16)
            producerWrite(memfd.handle, [UInt8(value)])
            return memfd.handle
        }
    }

    @Test func bytesAndThreeFdsArriveTogether() throws {
        let (a, b) = try UnixSocket.pair()
        let sender = FDPassingConnection(a), receiver = FDPassingConnection(b)
        let fds = try threeMemfds()
        try sender.send(Array("hello".utf8), fds: fds)
        let chunk = try #require(try receiver.receive(maxBytes: 100, maxFds: 8))
        #expect(chunk.bytes == Array("hello".utf8))
        #expect(!chunk.fdsTruncated)
        #expect(!chunk.isEndOfStream)
        #expect(chunk.fds.count == 3)
        for (index, fd) in chunk.fds.enumerated() {
            #expect(!fds.contains { $0.rawValue == fd.rawValue })
            #expect(readBack(fd, count: 1) == [UInt8(index + 1)])
            #expect(try MemoryValidation.kind(of: fd.rawValue) == .memfd(seals: []))
        }
    }

    @Test func receivedFdsAreCloseOnExec() throws {
        let (a, b) = try UnixSocket.pair()
        let pipe = makePipe()
        // A descriptor without FD_CLOEXEC on the sending side still arrives with it set.
        let plain = FileDescriptorHandle(adopting: dup(pipe.write.rawValue))
        #expect(try !plain.isCloseOnExec())
        try FDPassingConnection(a).send([0], fds: [plain])
        let chunk = try #require(try FDPassingConnection(b).receive(maxBytes: 1, maxFds: 1))
        #expect(chunk.fds.count == 1)
        #expect(try chunk.fds[0].isCloseOnExec())
    }

    @Test func bytesSplitAcrossReadsWithTheFdsInTheFirstChunk() throws {
        let (a, b) = try UnixSocket.pair()
        let receiver = FDPassingConnection(b)
        let message = (0..<100).map { UInt8($0) }
        try FDPassingConnection(a).send(message, fds: try threeMemfds())
        var received: [UInt8] = []
        var fdCounts: [Int] = []
        while received.count < message.count {
            let chunk = try #require(try receiver.receive(maxBytes: 30, maxFds: 8))
            received += chunk.bytes
            fdCounts.append(chunk.fds.count)
        }
        #expect(received == message)
        #expect(fdCounts == [3, 0, 0, 0])
    }

    @Test func fewerFdsAllowedThanSentIsReportedAsTruncation() throws {
        let (a, b) = try UnixSocket.pair()
        try FDPassingConnection(a).send([1, 2, 3], fds: try threeMemfds())
        let chunk = try #require(try FDPassingConnection(b).receive(maxBytes: 10, maxFds: 1))
        #expect(chunk.bytes == [1, 2, 3])
        #expect(chunk.fds.count == 1)
        #expect(chunk.fdsTruncated)
        #expect(readBack(chunk.fds[0], count: 1) == [1])
    }

    @Test func noRoomForFdsAtAllIsReportedAsTruncation() throws {
        let (a, b) = try UnixSocket.pair()
        try FDPassingConnection(a).send([7], fds: try threeMemfds())
        try FDPassingConnection(a).send([8])
        let first = try #require(try FDPassingConnection(b).receive(maxBytes: 10, maxFds: 0))
        #expect(first.fds.isEmpty)
        #expect(first.fdsTruncated)
        #expect(first.bytes.first == 7)
    }

    @Test func aNonblockingSocketWithNothingToReadGivesNil() throws {
        let (a, b) = try UnixSocket.pair(nonblocking: true)
        #expect(try FDPassingConnection(b).receive(maxBytes: 10, maxFds: 1) == nil)
        withExtendedLifetime(a) {}
    }

    @Test func aClosedPeerIsEndOfStreamAndSendingToItIsEPIPE() throws {
        let (a, b) = try UnixSocket.pair()
        try FDPassingConnection(a).send([1, 2])
        try a.close()
        let receiver = FDPassingConnection(b)
        #expect(try receiver.receive(maxBytes: 10, maxFds: 1)?.bytes == [1, 2])
        let end = try #require(try receiver.receive(maxBytes: 10, maxFds: 1))
        #expect(end.isEndOfStream)
        #expect(end.bytes.isEmpty)
        do {
            try receiver.send([1])
            Issue.record("send to a closed peer succeeded")
        } catch {
            #expect(error.isPeerGone)
        }
    }

    @Test func aLargeSendOnANonblockingSocketWaitsForTheReader() throws {
        let (a, b) = try UnixSocket.pair(nonblocking: true)
        let message = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let result = Recorder<[UInt8]>()
        DispatchQueue.global().async {
            let receiver = FDPassingConnection(b)
            var received: [UInt8] = []
            while received.count < message.count {
                guard let chunk = try? receiver.receive(maxBytes: 65536, maxFds: 1) else {
                    usleep(1000)
                    continue
                }
                if chunk.isEndOfStream { break }
                received += chunk.bytes
            }
            result.record(received)
        }
        try FDPassingConnection(a).send(message)
        #expect(result.wait(seconds: 20) { $0.count == 1 })
        #expect(result.all.first == message)
    }
}
