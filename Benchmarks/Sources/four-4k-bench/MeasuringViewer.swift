import BenchSupport
import Foundation
import Glibc
import NIOCore
import RFB
import RFBClient
import Synchronization

/// One RFB viewer of `four-4k-bench view` on its own thread: RFBClient's state machine over a
/// plain socket, 32-bit XRGB, ZRLE and CopyRect (lossless, so the feed's stamp pixel arrives
/// exact), one incremental FramebufferUpdateRequest outstanding at a time, as a plain viewer does.
///
/// A frame counts as delivered when an update changes the stamp at (0,0) (the feed writes its
/// painting time there, docs/benchmarks.md "Four 4K outputs"); the latency of that frame is the
/// receipt time minus the stamp, in milliseconds.
final class MeasuringViewer: @unchecked Sendable {
    struct Counts { var frames = 0; var latencies: [Double] = []; var bytes = 0; var failure: String? }

    let port: UInt16
    private let counts = Mutex(Counts())
    private let stopping = Atomic(false)

    init(port: UInt16) { self.port = port }

    /// What was counted since the last call, which starts a new interval.
    func takeCounts() -> Counts {
        counts.withLock { counts in
            let taken = counts
            counts = Counts(failure: counts.failure)
            return taken
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    func start() {
        let thread = Thread { [self] in
            do { try run() } catch { counts.withLock { $0.failure = "\(error)" } }
        }
        thread.start()
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    private func run() throws {
        guard let connection = LoopbackSocket.connect(port: port) else { throw Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        let fd = connection.fd
        defer { close(fd) }
        func send(_ buffer: ByteBuffer) throws {
            guard connection.send(buffer) else { throw Failure(description: "write failed") }
        }
        var machine = ClientStateMachine(configuration: ClientConfiguration(password: nil, shared: true), decoders: DecoderRegistry.all())
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var lastStamp: UInt32?
        while !stopping.load(ordering: .relaxed) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { throw Failure(description: "the server closed the connection") }
            var buffer = ByteBufferAllocator().buffer(capacity: n)
            buffer.writeBytes(chunk[0..<n])
            var delivered: [Double] = []
            for action in machine.receive(buffer) {
                switch action {
                case .send(let reply): try send(reply)
                case .connected:
                    try send(try machine.setPixelFormat(.xrgb8888))
                    try send(machine.setEncodings([.copyRect, .zrle]))
                    try send(machine.requestUpdate(incremental: false))
                case .framebufferUpdated:
                    let stamp = machine.framebuffer.width > 0 ? machine.framebuffer[0, 0] & 0xff_ffff : 0
                    // The first picture is not a frame delivered after its commit: it only starts the count.
                    if stamp != lastStamp, lastStamp == nil {
                        lastStamp = stamp
                    } else if stamp != lastStamp {
                        lastStamp = stamp
                        let now = UInt32(UInt64(Date().timeIntervalSince1970 * 1000) % (1 << 24))
                        delivered.append(Double((now &- stamp) & 0xff_ffff))
                    }
                    try send(machine.requestUpdate(incremental: true))
                case .resized:
                    try send(machine.requestUpdate(incremental: false))
                case .error(let error):
                    throw Failure(description: "protocol error: \(error)")
                default:
                    break
                }
            }
            counts.withLock {
                $0.bytes += n
                $0.frames += delivered.count
                $0.latencies += delivered
            }
        }
    }
}
