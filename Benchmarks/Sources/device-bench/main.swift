#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Display
import DisplayProtocol
import DisplayServer
import Foundation
import Synchronization
import Logging
import PortholeClient
import Server

/// The display device's latencies and throughput (docs/benchmarks.md, "Display device"):
///
/// 1. commit → PageFlip for a 256×256 damage on a 1920×1080 output at 60 Hz, split into the wait
///    for the frame tick and the server's work after it (the PageFlip timestamp is the tick);
/// 2. commit → the first byte of the FramebufferUpdate reaching an RFB viewer (Raw encoding) of
///    that output, through the real RFB server (`Server`), which polls the output at 60 Hz and is
///    told of each new frame at once (`FrameSignalling`);
///
/// 1 and 2 each twice: commits back to back (each right after the previous PageFlip, so the frame
/// clock paces them), and on an idle output (a pause longer than one frame interval before each
/// commit, as typing or a click makes; such a commit flips at once, docs/protocol.md §12);
/// 3. full-frame 3840×2160 commits per second through the zero-copy path (the server composes
///    straight from the producer's mapped memfd) and through the copy path (docs/protocol.md §11:
///    one framebuffer, copied by the server at the tick and released at once), with the frame
///    clock raised to 1 kHz so the server's work is the limit, next to memcpy of the same frame in
///    the same run.
///
/// 4. the same 1920×1080 commits with 256×256 damage with no consumer and with one subscribed
///    consumer (docs/protocol.md §6.2, §7.19) that releases each buffer as soon as FrameReady
///    names it, and 4K full frames with one such consumer: the server's time after the tick, which
///    includes writing the consumer's scanout buffer.
///
/// Producer, device server and RFB server run in this one process, on their own threads, over
/// real Unix and TCP sockets.
let commits = Int(ProcessInfo.processInfo.environment["BENCH_COMMITS"] ?? "") ?? 300

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func milliseconds(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("device-bench: \(message)\n".utf8))
    exit(1)
}

/// A device server on a socket in a fresh temporary directory.
func makeDevice(maximumRefreshMillihertz: Int = 240_000) throws -> DeviceServer {
    var template = Array("/tmp/porthole-bench-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { fail("mkdtemp failed") }
    let directory = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    var configuration = DeviceServerConfiguration(socketPath: directory + "/porthole-0")
    configuration.maximumRefreshMillihertz = maximumRefreshMillihertz
    var logger = Logger(label: "device-bench")
    logger.logLevel = .warning
    let server = try DeviceServer(configuration: configuration, logger: logger)
    server.start()
    return server
}

/// Stops `server` and removes its socket and the directory `makeDevice` made for it.
func removeDevice(_ server: DeviceServer) {
    server.stop()
    unlink(server.socketPath)
    rmdir((server.socketPath as NSString).deletingLastPathComponent)
}

/// A producer with one output and two memfd framebuffers (one on the copy path).
struct Producer {
    let client: DisplayClient
    let output: OutputCreatedReply
    let buffers: [ProducerBuffer]
    let framebuffers: [UInt32]
    let width: UInt32, height: UInt32

    init(server: DeviceServer, width: UInt32, height: UInt32, refreshMillihertz: UInt32, copy: Bool = false) throws {
        let client = try DisplayClient(socketPath: server.socketPath, role: .producer, name: "bench", timeout: 10)
        self.client = client
        self.width = width
        self.height = height
        output = try client.createOutput(name: "Bench-1", width: width, height: height, refreshMillihertz: refreshMillihertz)
        let buffers = try (0..<(copy ? 1 : 2)).map { _ in try ProducerBuffer(width: width, height: height) }
        for buffer in buffers { buffer.withPixels { $0.update(repeating: 0x0020_4060) } }
        self.buffers = buffers
        framebuffers = try buffers.map { try client.createFramebuffer($0, copy: copy) }
    }

    /// Draws a 256×256 square at a position that moves with `frame` into buffer `index`.
    func drawSquare(_ index: Int, frame: Int) -> WireRect {
        let x = (frame * 37) % (Int(width) - 256), y = (frame * 23) % (Int(height) - 256)
        let colour = UInt32(truncatingIfNeeded: frame &* 0x0101_0f) & 0x00ff_ffff
        buffers[index].withPixels { pixels in
            for row in y..<(y + 256) { pixels[(row * Int(width) + x)..<(row * Int(width) + x + 256)].update(repeating: colour) }
        }
        return WireRect(x: Int32(x), y: Int32(y), width: 256, height: 256)
    }

    /// Commits buffer `index` with `damage` (none: the whole frame); returns the request id.
    func commit(_ index: Int, damage: [WireRect]) throws -> UInt32 {
        try client.present(framebuffer: framebuffers[index], width: width, height: height, on: output.primaryPlaneID, damage: damage)
    }

    func dropReleases() {
        _ = client.takeEvents { if case .release = $0 { return true } else { return false } }
    }
}

/// A minimal RFB 3.8 viewer over a blocking TCP socket: no authentication, Raw only.
final class RawViewer {
    let fd: Int32
    private(set) var width = 0, height = 0, bytesPerPixel = 4

    init(port: Int) {
        guard let connection = LoopbackSocket.connect(port: UInt16(port)) else { fail("connect to the RFB server: errno \(errno)") }
        fd = connection.fd
    }

    func read(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            guard n > 0 else { fail("the RFB server closed the connection") }
            got += n
        }
        return bytes
    }

    func write(_ bytes: [UInt8]) {
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress!, $0.count) }) == bytes.count else { fail("write to the RFB server") }
    }

    func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    func u32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }

    /// Version, security None, ClientInit, ServerInit, SetEncodings [Raw].
    func handshake() {
        _ = read(12)
        write(Array("RFB 003.008\n".utf8))
        let count = Int(read(1)[0])
        guard count > 0, read(count).contains(1) else { fail("the RFB server does not offer security None") }
        write([1])
        guard u32(read(4), 0) == 0 else { fail("RFB security failed") }
        write([1])
        let serverInit = read(24)
        width = u16(serverInit, 0)
        height = u16(serverInit, 2)
        bytesPerPixel = Int(serverInit[4]) / 8
        _ = read(u32(serverInit, 20))
        write([2, 0, 0, 1, 0, 0, 0, 0])
    }

    func requestUpdate(incremental: Bool) {
        write([3, incremental ? 1 : 0, 0, 0, 0, 0, UInt8(width >> 8), UInt8(width & 0xff), UInt8(height >> 8), UInt8(height & 0xff)])
    }

    /// Waits for the first byte of the next server message; returns its arrival time.
    func waitForFirstByte() -> (Double, UInt8) {
        let first = read(1)[0]
        return (now(), first)
    }

    /// Reads the rest of a FramebufferUpdate whose type byte was already read; returns pixels read.
    func readUpdate(afterType type: UInt8) -> Int {
        guard type == 0 else { fail("unexpected RFB message type \(type)") }
        let header = read(3)
        var pixels = 0
        for _ in 0..<u16(header, 1) {
            let rect = read(12)
            let w = u16(rect, 4), h = u16(rect, 6)
            let encoding = Int32(bitPattern: UInt32(u32(rect, 8)))
            guard encoding == 0 else { fail("unexpected encoding \(encoding)") }
            _ = read(w * h * bytesPerPixel)
            pixels += w * h
        }
        return pixels
    }
}

/// A consumer subscribed to `output` on its own thread: it releases each buffer as soon as
/// FrameReady names it (§6.7), and closes the fds of ScanoutBuffers without mapping them.
final class ReleasingConsumer: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    let frames = Atomic<Int>(0)

    init(server: DeviceServer, output: UInt32) throws {
        let client = try DisplayClient(socketPath: server.socketPath, role: .consumer, name: "bench-consumer", timeout: 10)
        guard case .subscribed = try client.request(.subscribe(outputID: output)) else { fail("subscribe refused") }
        nonisolated(unsafe) let owned = client
        Thread.detachNewThread { [self] in
            while !stopping.load(ordering: .relaxed) {
                guard let event = try? owned.nextEvent(timeout: 0.05) else { continue }
                switch event {
                case .frameReady(let ready):
                    frames.add(1, ordering: .relaxed)
                    try? owned.send(.frameReleased(outputID: ready.outputID, bufferIndex: ready.bufferIndex, sequence: ready.sequence))
                default:
                    for fd in event.fds { close(fd) }
                }
            }
            owned.close()
            finished.store(true, ordering: .releasing)
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        while !finished.load(ordering: .acquiring) { usleep(1_000) }
    }
}

// MARK: - 1 and 2: latency on 1920x1080 at 60 Hz

let device = try makeDevice()
let producer = try Producer(server: device, width: 1920, height: 1080, refreshMillihertz: 60_000)
var index = 0
_ = try producer.commit(index, damage: [])
_ = try producer.client.waitForPageFlip(output: producer.output.outputID)

/// Pause before each commit of the "idle" rows: longer than one 60 Hz frame interval, so the
/// output flipped nothing in the interval before the commit (typing, a click; docs/protocol.md §12).
let idleGapMicroseconds: UInt32 = 20_000

/// `commits` commits of a 256×256 square, each waiting for its PageFlip; with `idle`, after a pause
/// of `idleGapMicroseconds`, otherwise at once (a producer animating as fast as the clock allows).
func flipLatencies(_ producer: Producer, index: inout Int, idle: Bool, frameBase: Int) throws -> (total: [Double], tickWait: [Double], afterTick: [Double]) {
    var total: [Double] = [], tickWait: [Double] = [], afterTick: [Double] = []
    for frame in 0..<commits {
        index ^= 1
        let damage = producer.drawSquare(index, frame: frameBase + frame)
        if idle { usleep(idleGapMicroseconds) }
        let start = now()
        let request = try producer.commit(index, damage: [damage])
        let flip = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        let end = now()
        producer.dropReleases()
        let tick = Double(flip.timestampNanoseconds) / 1e9
        total.append(end - start)
        tickWait.append(max(0, tick - start))
        afterTick.append(end - tick)
    }
    return (total, tickWait, afterTick)
}
let (total, tickWait, afterTick) = try flipLatencies(producer, index: &index, idle: false, frameBase: 0)
let idleFlips = try flipLatencies(producer, index: &index, idle: true, frameBase: commits)

var rfbConfiguration = ServerConfiguration()
rfbConfiguration.port = 0
rfbConfiguration.sourceFrameRate = 60
rfbConfiguration.logLevel = .warning
guard let outputSource = device.outputSource(for: OutputID(producer.output.outputID)) else { fail("no output source") }
var rfbLogger = Logger(label: "device-bench.rfb")
rfbLogger.logLevel = .warning
let rfb = try await PortholeServer.start(configuration: rfbConfiguration, source: outputSource, logger: rfbLogger)
let viewer = RawViewer(port: rfb.boundAddress.port)
viewer.handshake()
viewer.requestUpdate(incremental: false)
_ = viewer.readUpdate(afterType: viewer.waitForFirstByte().1)

/// commit → the first byte of the FramebufferUpdate at the viewer, `commits` times; with `idle`,
/// each commit after a pause of `idleGapMicroseconds`.
func viewerLatencies(_ producer: Producer, _ viewer: RawViewer, index: inout Int, idle: Bool, frameBase: Int) throws -> [Double] {
    var toViewer: [Double] = []
    for frame in 0..<commits {
        viewer.requestUpdate(incremental: true)
        index ^= 1
        let damage = producer.drawSquare(index, frame: frameBase + frame)
        if idle { usleep(idleGapMicroseconds) }
        let start = now()
        let request = try producer.commit(index, damage: [damage])
        let (arrival, type) = viewer.waitForFirstByte()
        toViewer.append(arrival - start)
        _ = viewer.readUpdate(afterType: type)
        _ = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        producer.dropReleases()
    }
    return toViewer
}
let toViewer = try viewerLatencies(producer, viewer, index: &index, idle: false, frameBase: 2 * commits)
let idleToViewer = try viewerLatencies(producer, viewer, index: &index, idle: true, frameBase: 3 * commits)
await rfb.stop()
producer.client.close()
removeDevice(device)

// MARK: - 3: 3840x2160 full-frame commits per second

/// 4K commits, each waiting for its PageFlip: the zero-copy producer alternates its two buffers,
/// the copy-path producer commits its one buffer again (released at every tick). Full frames
/// (no damage rects), or with `square` a 256×256 square drawn (untimed) and committed as the
/// damage. Returns the median and the mean time of one commit → PageFlip, and the median time from
/// the tick (the PageFlip's timestamp) to the PageFlip's arrival: the server's work.
func commitTimes4K(copy: Bool, square: Bool = false, consumer: Bool = false, frames: Int) throws -> (median: Double, mean: Double, afterTick: Double) {
    let server = try makeDevice(maximumRefreshMillihertz: 1_000_000)
    let producer = try Producer(server: server, width: 3840, height: 2160, refreshMillihertz: 1_000_000, copy: copy)
    var index = 0
    _ = try producer.commit(index, damage: [])
    _ = try producer.client.waitForPageFlip(output: producer.output.outputID)
    let subscriber = consumer ? try ReleasingConsumer(server: server, output: producer.output.outputID) : nil
    defer { subscriber?.stop() }
    var times: [Double] = [], afterTick: [Double] = []
    for frame in 0..<frames {
        if !copy { index ^= 1 }
        let damage = square ? [producer.drawSquare(index, frame: frame)] : []
        let start = now()
        let request = try producer.commit(index, damage: damage)
        let flip = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        let end = now()
        times.append(end - start)
        afterTick.append(end - Double(flip.timestampNanoseconds) / 1e9)
        producer.dropReleases()
    }
    producer.client.close()
    removeDevice(server)
    return (percentile(times, 0.5), times.reduce(0, +) / Double(times.count), percentile(afterTick, 0.5))
}

let frameBytes = 3840 * 2160 * 4
let fullFrames = max(60, commits / 2)
let zeroCopy = try commitTimes4K(copy: false, frames: fullFrames)
let copyPath = try commitTimes4K(copy: true, frames: fullFrames)
let zeroCopySquare = try commitTimes4K(copy: false, square: true, frames: fullFrames)
let copyPathSquare = try commitTimes4K(copy: true, square: true, frames: fullFrames)
let zeroCopyConsumer = try commitTimes4K(copy: false, consumer: true, frames: fullFrames)

// MARK: - 4: a subscribed consumer, 1920x1080 at 60 Hz, 256x256 damage

/// The server's time after the tick (PageFlip arrival minus its timestamp) for `commits` commits
/// of a 256×256 square on 1920×1080 at 60 Hz, with `consumers` subscribed consumers; and the
/// FrameReady count the consumers saw.
func afterTick1080(consumers: Int) throws -> (afterTick: [Double], framesSeen: Int) {
    let server = try makeDevice()
    let producer = try Producer(server: server, width: 1920, height: 1080, refreshMillihertz: 60_000)
    var index = 0
    _ = try producer.commit(index, damage: [])
    _ = try producer.client.waitForPageFlip(output: producer.output.outputID)
    let subscribers = try (0..<consumers).map { _ in try ReleasingConsumer(server: server, output: producer.output.outputID) }
    usleep(100_000)
    var afterTick: [Double] = []
    for frame in 0..<commits {
        index ^= 1
        let damage = producer.drawSquare(index, frame: frame)
        let request = try producer.commit(index, damage: [damage])
        let flip = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
        afterTick.append(now() - Double(flip.timestampNanoseconds) / 1e9)
        producer.dropReleases()
    }
    for subscriber in subscribers { subscriber.stop() }
    producer.client.close()
    removeDevice(server)
    return (afterTick, subscribers.reduce(0) { $0 + $1.frames.load(ordering: .relaxed) })
}

let noConsumer1080 = try afterTick1080(consumers: 0)
let oneConsumer1080 = try afterTick1080(consumers: 1)

var source = [UInt32](repeating: 0x0011_2233, count: frameBytes / 4)
var target = [UInt32](repeating: 0, count: frameBytes / 4)
var copies: [Double] = []
for run in 0..<16 {
    source[run] = UInt32(run)
    let start = now()
    source.withUnsafeBytes { s in target.withUnsafeMutableBytes { $0.copyMemory(from: s) } }
    if run > 0 { copies.append(now() - start) }
}
let memcpySeconds = percentile(copies, 0.5)

print("# device-bench: \(commits) commits per latency figure, \(fullFrames) full 4K frames")
print("")
print("| measurement | median ms | p99 ms |")
print("|---|---:|---:|")
print("| commit → PageFlip, 256×256 damage, 1920×1080 at 60 Hz | \(milliseconds(percentile(total, 0.5))) | \(milliseconds(percentile(total, 0.99))) |")
print("| … of which: waiting for the frame tick | \(milliseconds(percentile(tickWait, 0.5))) | \(milliseconds(percentile(tickWait, 0.99))) |")
print("| … of which: tick → PageFlip received (compose, deliver, send) | \(milliseconds(percentile(afterTick, 0.5))) | \(milliseconds(percentile(afterTick, 0.99))) |")
print("| commit → first byte of the FramebufferUpdate at an RFB viewer (Raw) | \(milliseconds(percentile(toViewer, 0.5))) | \(milliseconds(percentile(toViewer, 0.99))) |")
print("| idle output (20 ms pause before each commit): commit → PageFlip | \(milliseconds(percentile(idleFlips.total, 0.5))) | \(milliseconds(percentile(idleFlips.total, 0.99))) |")
print("| … of which: waiting for the frame tick | \(milliseconds(percentile(idleFlips.tickWait, 0.5))) | \(milliseconds(percentile(idleFlips.tickWait, 0.99))) |")
print("| idle output (20 ms pause before each commit): commit → first byte at an RFB viewer (Raw) | \(milliseconds(percentile(idleToViewer, 0.5))) | \(milliseconds(percentile(idleToViewer, 0.99))) |")
print("")
/// Commits per second from the median time; GB/s of the pixels changed (`bytes` per commit); the
/// ratio to memcpy of the same number of bytes (full frames only); the mean alongside.
func row(_ name: String, median: Double, mean: Double, afterTick: Double? = nil, bytes: Int = frameBytes) {
    let fps = 1 / median
    let ratio = bytes == frameBytes ? String(format: "%.3f", memcpySeconds / median) : "-"
    print("| \(name) | \(String(format: "%.1f", fps)) | \(String(format: "%.2f", fps * Double(bytes) / 1e9)) | \(milliseconds(median)) | \(milliseconds(mean)) | \(afterTick.map(milliseconds) ?? "-") | \(ratio) |")
}
print("| measurement | commits/s | GB/s changed | median ms/commit | mean ms/commit | median ms after the tick | vs memcpy |")
print("|---|---:|---:|---:|---:|---:|---:|")
row("3840×2160 full-frame commit → PageFlip, zero-copy path, 1 kHz clock", median: zeroCopy.median, mean: zeroCopy.mean, afterTick: zeroCopy.afterTick)
row("3840×2160 full-frame commit → PageFlip, copy path, 1 kHz clock", median: copyPath.median, mean: copyPath.mean, afterTick: copyPath.afterTick)
row("3840×2160, 256×256 damage, commit → PageFlip, zero-copy path, 1 kHz clock", median: zeroCopySquare.median, mean: zeroCopySquare.mean, afterTick: zeroCopySquare.afterTick,
    bytes: 256 * 256 * 4)
row("3840×2160, 256×256 damage, commit → PageFlip, copy path, 1 kHz clock", median: copyPathSquare.median, mean: copyPathSquare.mean, afterTick: copyPathSquare.afterTick,
    bytes: 256 * 256 * 4)
row("memcpy of the same 3840×2160 frame (33 MB), median of 15", median: memcpySeconds, mean: copies.reduce(0, +) / Double(copies.count))
row("3840×2160 full-frame commit → PageFlip, zero-copy path, 1 kHz clock, 1 subscribed consumer", median: zeroCopyConsumer.median,
    mean: zeroCopyConsumer.mean, afterTick: zeroCopyConsumer.afterTick)
print("")
print("| 1920×1080 at 60 Hz, 256×256 damage per commit | tick → PageFlip received, median ms | p99 ms | FrameReady seen |")
print("|---|---:|---:|---:|")
print("| no consumer | \(milliseconds(percentile(noConsumer1080.afterTick, 0.5))) | \(milliseconds(percentile(noConsumer1080.afterTick, 0.99))) | - |")
print("| 1 subscribed consumer | \(milliseconds(percentile(oneConsumer1080.afterTick, 0.5))) | \(milliseconds(percentile(oneConsumer1080.afterTick, 0.99))) | \(oneConsumer1080.framesSeen) |")
