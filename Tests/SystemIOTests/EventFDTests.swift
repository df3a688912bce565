#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import SystemIO

struct EventFDTests {
    @Test func signalsAddUpAndAReadResets() throws {
        let event = try EventFD.create(nonblocking: true)
        #expect(try event.read() == nil)
        try event.signal()
        try event.signal(4)
        #expect(try event.read() == 5)
        #expect(try event.read() == nil)
        #expect(try event.handle.isCloseOnExec())
    }

    @Test func semaphoreModeReadsOneAtATime() throws {
        let event = try EventFD.create(initialValue: 2, nonblocking: true, semaphore: true)
        #expect(try event.read() == 1)
        #expect(try event.read() == 1)
        #expect(try event.read() == nil)
    }

    @Test func aBlockingReadWakesOnASignalFromAnotherThread() throws {
        let event = try EventFD.create()
        let values = Recorder<UInt64?>()
        DispatchQueue.global().async { values.record(try? event.read()) }
        try event.signal(3)
        #expect(values.wait { $0.count == 1 })
        #expect(values.all == [3])
    }
}
