import Foundation
import NIOCore
import SystemIO
import Testing
@testable import Server

/// `SocketViewerTransport` on a socket pair: work delivered on its thread runs at once (the hand-off
/// it exists to save), writes the socket does not take wait in order, and a close fails what
/// still waits and tells its owner afterwards, never inside the call.
@Suite(.timeLimit(.minutes(1)))
struct SocketViewerTransportTests {
    private final class Record: @unchecked Sendable {
        var sent: [(Int, Bool)] = []
        var closed = false
    }

    private func withTransport(_ body: (EventThread, SocketViewerTransport, FileDescriptorHandle, Record) async throws -> Void) async throws {
        let thread = try EventThread(name: "test-transport")
        defer { thread.shutdown() }
        let (ours, theirs) = try UnixSocket.pair(nonblocking: true)
        let record = Record()
        let transport = SocketViewerTransport(thread: thread, fd: dup(ours.rawValue), remoteAddress: nil) { _ in record.closed = true }
        try ours.close()
        thread.sync { transport.start(early: nil) }
        try UnixSocket.setNonblocking(theirs, false)
        try await body(thread, transport, theirs, record)
        thread.sync { transport.close() }
    }

    @Test func workDeliveredOnItsThreadRunsAtOnceAndElsewhereLater() async throws {
        try await withTransport { thread, transport, _, _ in
            let ranInside = thread.sync { () -> Bool in
                let flag = Record()
                transport.deliver { flag.closed = true }
                return flag.closed
            }
            #expect(ranInside, "work delivered on the transport's thread did not run at once")
            let flag = Record()
            let done = DispatchSemaphore(value: 0)
            transport.deliver {
                flag.closed = thread.isCurrent
                done.signal()
            }
            done.wait()
            #expect(flag.closed, "work delivered from another thread did not run on the transport's")
        }
    }

    @Test func writesTheSocketDoesNotTakeArriveWholeAndInOrder() async throws {
        try await withTransport { thread, transport, peer, record in
            let chunks = (0..<4).map { index in ByteBuffer(bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }) }
            thread.sync {
                for (index, chunk) in chunks.enumerated() { transport.write(chunk) { record.sent.append((index, $0)) } }
            }
            #expect(thread.sync { record.sent.count } < chunks.count, "the socket took 4 MiB at once: nothing waited")
            var received = [UInt8]()
            let total = chunks.reduce(0) { $0 + $1.readableBytes }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while received.count < total {
                let count = buffer.withUnsafeMutableBytes { read(peer.rawValue, $0.baseAddress, $0.count) }
                try #require(count > 0, "the socket ended after \(received.count) of \(total) bytes")
                received += buffer[..<count]
            }
            #expect(received == chunks.flatMap { Array($0.readableBytesView) })
            let sent = await eventuallyValue { thread.sync { record.sent.count == chunks.count ? record.sent : nil } }
            #expect(sent?.map(\.0) == [0, 1, 2, 3] && sent?.allSatisfy(\.1) == true, "sent callbacks: \(String(describing: sent))")
        }
    }

    @Test func closeFailsWaitingWritesAndTellsTheOwnerLater() async throws {
        try await withTransport { thread, transport, _, record in
            let big = ByteBuffer(bytes: [UInt8](repeating: 0x5a, count: 4 << 20))
            let (failedAtOnce, closedInside) = thread.sync { () -> (Bool, Bool) in
                transport.write(big) { record.sent.append((0, $0)) }
                transport.close()
                return (record.sent.count == 1 && record.sent[0].1 == false, record.closed)
            }
            #expect(failedAtOnce, "the unsent write was not failed by the close")
            #expect(!closedInside, "the owner heard of the close inside the call")
            #expect(thread.sync { record.closed }, "the owner never heard of the close")
            let late = thread.sync { () -> Bool? in
                var result: Bool?
                transport.write(ByteBuffer(bytes: [1])) { result = $0 }
                return result
            }
            #expect(late == false, "a write after the close was not failed at once")
        }
    }

    /// Polls `body` until it gives a value, for up to ten seconds.
    private func eventuallyValue<T>(_ body: () -> T?) async -> T? {
        for _ in 0..<1000 {
            if let value = body() { return value }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
