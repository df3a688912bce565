#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import SystemIO

struct FDPassingChannelTests {
    enum Event: Sendable {
        case chunk(ReceivedChunk)
        case closed(FDPassingChannel.CloseReason)

        var bytes: [UInt8] { if case .chunk(let c) = self { return c.bytes } else { return [] } }
        var fdCount: Int { if case .chunk(let c) = self { return c.fds.count } else { return 0 } }
        var closeReason: FDPassingChannel.CloseReason? { if case .closed(let r) = self { return r } else { return nil } }
    }

    func makeChannel(_ socket: FileDescriptorHandle, _ configuration: FDPassingChannel.Configuration = .init()) throws -> (FDPassingChannel, Recorder<Event>) {
        let events = Recorder<Event>()
        let channel = try FDPassingChannel(socket: socket, configuration: configuration,
                                           onChunk: { events.record(.chunk($0)) },
                                           onClose: { events.record(.closed($0)) })
        return (channel, events)
    }

    @Test func chunksWithFdsArriveOnTheCallback() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, events) = try makeChannel(b)
        channel.start()
        let peer = FDPassingConnection(a)
        let memfds = try (0..<3).map { _ in try Memfd.create(name: "cb", size: 4).handle }
        try peer.send(Array("first".utf8), fds: memfds)
        try peer.send(Array("second".utf8))
        #expect(events.wait { $0.flatMap(\.bytes).count == 11 })
        #expect(events.all.flatMap(\.bytes) == Array("firstsecond".utf8))
        #expect(events.all.map(\.fdCount).reduce(0, +) == 3)
        channel.close()
        #expect(events.wait { $0.contains { $0.closeReason != nil } })
    }

    /// Reads reuse one buffer of `maxReadBytes`: what is waiting beyond it comes in further reads
    /// of the same round (a full buffer), and a short read ends the round, after which bytes sent
    /// later are still reported (the watch is level-triggered). No byte is lost or reordered.
    @Test func moreThanOneBufferOfBytesArrivesWholeAndInOrder() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, events) = try makeChannel(b, .init(maxReadBytes: 7))
        channel.start()
        let peer = FDPassingConnection(a)
        let first = (0..<200).map { UInt8($0 % 251) }
        try peer.send(first)
        #expect(events.wait { $0.flatMap(\.bytes).count == first.count })
        #expect(events.all.allSatisfy { $0.bytes.count <= 7 }, "a chunk was larger than the read buffer")
        let second: [UInt8] = [9, 8, 7]
        try peer.send(second)
        #expect(events.wait { $0.flatMap(\.bytes).count == first.count + second.count },
                "bytes sent after a short read were never reported")
        #expect(events.all.flatMap(\.bytes) == first + second)
        channel.close()
    }

    @Test func tooManyFdsInOneReadAreReported() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, events) = try makeChannel(b, .init(maxFdsPerRead: 1))
        channel.start()
        let memfds = try (0..<3).map { _ in try Memfd.create(name: "many", size: 4).handle }
        try FDPassingConnection(a).send([1], fds: memfds)
        #expect(events.wait { $0.contains { if case .chunk(let c) = $0 { return c.fdsTruncated } else { return false } } })
        channel.close()
    }

    @Test func sendsReachThePeerWithTheirFds() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, _) = try makeChannel(a)
        channel.start()
        let memfd = try Memfd.create(name: "sent", size: 4)
        producerWrite(memfd.handle, [77])
        #expect(channel.send([1, 2, 3], fds: [memfd.handle]) == .queued)
        #expect(channel.send([4, 5]) == .queued)
        let peer = FDPassingConnection(b)
        var bytes: [UInt8] = []
        var fds: [FileDescriptorHandle] = []
        while bytes.count < 5 {
            let chunk = try #require(try peer.receive(maxBytes: 16, maxFds: 4))
            bytes += chunk.bytes
            fds += chunk.fds
        }
        #expect(bytes == [1, 2, 3, 4, 5])
        #expect(fds.count == 1)
        #expect(readBack(fds[0], count: 1) == [77])
        channel.close()
    }

    /// Messages queued while the channel's thread is busy go out several to a sendmsg, partly sent
    /// ones included; the peer must still get every byte in order and the fds with their message.
    @Test func batchedSendsArriveInOrderWithTheirFds() throws {
        let (a, b) = try UnixSocket.pair()
        let thread = try EventThread(name: "batch-thread")
        defer { thread.shutdown() }
        let channel = try FDPassingChannel(socket: a, onChunk: { _ in }, onClose: { _ in }, thread: thread)
        channel.start()
        let memfd = try Memfd.create(name: "batched", size: 4)
        producerWrite(memfd.handle, [42])
        // Hold the channel's thread so that everything below is queued before the first flush.
        let gate = DispatchSemaphore(value: 0)
        thread.execute { gate.wait() }
        var expected: [UInt8] = []
        for i in 0..<40 {
            // Small messages, a few larger than the socket takes at once, and one with an fd.
            let size = i % 13 == 5 ? 100_000 : 3 + i
            let message = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            #expect(channel.send(message, fds: i == 20 ? [memfd.handle] : []) == .queued)
            expected += message
        }
        gate.signal()
        let peer = FDPassingConnection(b)
        var bytes: [UInt8] = []
        var fds: [FileDescriptorHandle] = []
        while bytes.count < expected.count {
            let chunk = try #require(try peer.receive(maxBytes: 65536, maxFds: 4))
            bytes += chunk.bytes
            fds += chunk.fds
        }
        #expect(bytes == expected)
        #expect(fds.count == 1)
        #expect(readBack(fds[0], count: 1) == [42])
        channel.close()
    }

    @Test func theSendQueueIsBoundedWhenThePeerStopsReading() throws {
        let (a, b) = try UnixSocket.pair()
        let limit = 256 * 1024
        let (channel, events) = try makeChannel(a, .init(maxQueuedBytes: limit))
        channel.start()
        let block = [UInt8](repeating: 0x5A, count: 64 * 1024)
        var accepted = 0
        var refused = false
        // The socket buffer takes some, the queue up to `limit`, then sends are refused.
        for _ in 0..<200 {
            switch channel.send(block) {
            case .queued: accepted += 1
            case .queueLimitExceeded: refused = true
            case .closed: Issue.record("channel closed unexpectedly")
            }
            if refused { break }
            usleep(2000)
        }
        #expect(refused)
        #expect(channel.queuedBytes <= limit)
        #expect(events.all.isEmpty)

        // Once the peer reads again, everything accepted arrives and the queue drains.
        let peer = FDPassingConnection(b)
        var total = 0
        while total < accepted * block.count {
            let chunk = try #require(try peer.receive(maxBytes: 65536, maxFds: 0))
            #expect(chunk.bytes.allSatisfy { $0 == 0x5A })
            total += chunk.bytes.count
        }
        #expect(total == accepted * block.count)
        #expect(channel.queuedBytes == 0)
        #expect(channel.send(block) == .queued)
        channel.close()
    }

    @Test func aDrainNoticeComesOnceWhenTheQueueRunsEmpty() throws {
        let (a, b) = try UnixSocket.pair()
        let drained = Recorder<Int>()
        let channel = try FDPassingChannel(socket: a, onChunk: { _ in }, onClose: { _ in }, onDrained: { drained.record(1) })
        channel.start()
        // Nothing queued: the notice comes at once.
        channel.notifyWhenDrained()
        #expect(drained.wait { $0.count == 1 })
        // Queue 2 MiB, far more than a Unix socket's send buffer (about 208 KiB by default) holds
        // while the peer does not read, so bytes stay queued however the flush is scheduled;
        // then ask: no notice while the peer does not read.
        let block = [UInt8](repeating: 7, count: 64 * 1024)
        var sent = 0
        for _ in 0..<32 {
            #expect(channel.send(block) == .queued)
            sent += block.count
        }
        channel.notifyWhenDrained()
        usleep(100_000)
        #expect(drained.all.count == 1)
        // The peer reads everything: exactly one more notice.
        let peer = FDPassingConnection(b)
        var total = 0
        while total < sent {
            total += try #require(try peer.receive(maxBytes: 65536, maxFds: 0)).bytes.count
        }
        #expect(drained.wait { $0.count == 2 })
        #expect(channel.send([1]) == .queued)
        _ = try peer.receive(maxBytes: 16, maxFds: 0)
        usleep(100_000)
        #expect(drained.all.count == 2, "a notice without a request")
        channel.close()
    }

    @Test func manyQueuedMessagesArriveInOrder() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, _) = try makeChannel(a, .init(maxQueuedBytes: 64 * 1024 * 1024))
        channel.start()
        var expected: [UInt8] = []
        for index in 0..<2000 {
            let message = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1 + index % 3000)
            expected += message
            #expect(channel.send(message) == .queued)
        }
        let peer = FDPassingConnection(b)
        var received: [UInt8] = []
        while received.count < expected.count {
            let chunk = try #require(try peer.receive(maxBytes: 65536, maxFds: 0))
            received += chunk.bytes
        }
        #expect(received == expected)
        channel.close()
    }

    @Test func aPeerClosingIsReportedOnceAndLaterSendsAreRefused() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, events) = try makeChannel(b)
        channel.start()
        try FDPassingConnection(a).send([9])
        try a.close()
        #expect(events.wait { $0.contains { $0.closeReason != nil } })
        #expect(events.all.flatMap(\.bytes) == [9])
        #expect(events.all.compactMap(\.closeReason) == [.peerClosed])
        #expect(channel.send([1]) == .closed)
        channel.close()
        usleep(50_000)
        #expect(events.all.compactMap(\.closeReason) == [.peerClosed])
    }

    @Test func closingLocallyClosesTheSocket() throws {
        let (a, b) = try UnixSocket.pair()
        let (channel, events) = try makeChannel(b)
        channel.start()
        channel.close()
        #expect(events.wait { $0.contains { $0.closeReason != nil } })
        #expect(events.all.compactMap(\.closeReason) == [.closedLocally])
        let end = try #require(try FDPassingConnection(a).receive(maxBytes: 4, maxFds: 1))
        #expect(end.isEndOfStream)
    }
}
