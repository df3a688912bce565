import BenchSupport
import CBenchFrames
import Foundation
import Geometry
import Glibc
import NIOCore
import RFB
import RFBClient

/// The measuring viewer of bench/slow-link.sh (docs/benchmarks.md, "A slow link"): a viewer like
/// TigerVNC's (Fence and ContinuousUpdates, updates pushed without requests) that watches
/// `porthole serve --device` through a `ThrottlingProxy`, while porthole-feed hands the server the
/// frames of one peers workload.
///
///   slow-link-bench LABEL WORKLOAD SERVER_PORT FEEDER_PID LOG FRAMES MBIT_PER_S ADDED_RTT_MS
///
/// Once the viewer holds the whole frame 0 it sends SIGUSR1 to FEEDER_PID (bench/feed.h). For each
/// frame first seen (the stamp at (8,8), bench_frames.h) it notes the age: receipt minus hand-over.
/// Every 20 ms it samples the backlog between server and viewer: the server socket's send queue
/// (tx_queue in /proc/net/tcp) plus what the proxy holds. It prints one CSV row:
///
///   label,workload,frames,frames_seen,age_p50_ms,age_p99_ms,backlog_p50_kB,backlog_max_kB,kB_per_frame,wrong_pixels
///
/// With SLOW_LINK_DEBUG set it also prints each backlog sample's parts to stderr.
let arguments = CommandLine.arguments
guard arguments.count == 9, let serverPort = UInt16(arguments[3]), let feederPID = Int32(arguments[4]),
      let frames = Int(arguments[6]), frames > 1, let mbit = Double(arguments[7]), let addedRTT = Double(arguments[8]) else {
    FileHandle.standardError.write(Data("usage: slow-link-bench LABEL WORKLOAD SERVER_PORT FEEDER_PID LOG FRAMES MBIT_PER_S ADDED_RTT_MS\n".utf8))
    exit(2)
}
let (label, workloadName, logPath) = (arguments[1], arguments[2], arguments[5])
let workload = bench_workload_named(workloadName)

@MainActor func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("slow-link-bench (\(label), \(workloadName)): \(message)\n".utf8))
    exit(1)
}
guard workload >= 0 else { fail("unknown workload") }
var screenWidth: Int32 = 0, screenHeight: Int32 = 0
bench_screen_size(workload, &screenWidth, &screenHeight)

@MainActor func wallClock() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Hand-over times by frame from the feeder's log, and whether it has ended.
@MainActor func readLog() -> (handedOver: [Int: Double], ended: Bool) {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return ([:], false) }
    var handedOver: [Int: Double] = [:]
    var ended = false
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count == 2 else { continue }
        if parts[0] == "end" { ended = true } else if let k = Int(parts[0]), let t = Double(parts[1]) { handedOver[k] = t }
    }
    return (handedOver, ended)
}

/// The server socket's send queue: the /proc/net/tcp row whose local port is the server's and
/// whose remote port is the proxy's.
@MainActor func serverSendQueue(proxyPort: UInt16) -> Int {
    // Read to the end: procfs files report size 0, and a read of the first page only misses
    // sockets listed further down on a busy machine.
    guard let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile(),
          let text = String(data: data, encoding: .utf8) else { return 0 }
    let local = String(format: ":%04X", serverPort), remote = String(format: ":%04X", proxyPort)
    for line in text.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count > 4, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else { continue }
        return Int(fields[4].split(separator: ":")[0], radix: 16) ?? 0
    }
    return 0
}

let proxy = ThrottlingProxy(bytesPerSecond: mbit * 1e6 / 8, latency: addedRTT / 1000)
proxy.start(serverPort: serverPort)
guard let connection = LoopbackSocket.connect(port: proxy.port, attempts: 100) else { fail("cannot connect to the proxy") }
let fd = connection.fd

@MainActor func send(_ buffer: ByteBuffer) {
    if !connection.send(buffer) { fail("write failed") }
}

var machine = ClientStateMachine(configuration: ClientConfiguration(password: nil, shared: true), decoders: DecoderRegistry.all())
var chunk = [UInt8](repeating: 0, count: 1 << 20)
var frameTracker = StampedFrameTracker()
var continuous = false
var bytes = 0, bytesAtStart = 0
var feederEndedAt: Double?
var lastLogCheck = 0.0, lastSample = 0.0
var backlog: [Int] = []
var lastDataAt = 0.0
let deadline = wallClock() + 120 + Double(frames) / 5

@MainActor func stamp() -> Int {
    guard machine.framebuffer.width == Int(screenWidth), machine.framebuffer.height == Int(screenHeight) else { return -1 }
    return bench_stamp_value(machine.framebuffer[8, 8])
}

loop: while true {
    let now = wallClock()
    if now > deadline { fail("no end within the time limit (last frame seen \(frameTracker.lastSeen) of \(frames))") }
    if frameTracker.started, feederEndedAt == nil, now - lastLogCheck > 0.1 {
        lastLogCheck = now
        if readLog().ended { feederEndedAt = now }
    }
    if frameTracker.started, feederEndedAt == nil, now - lastSample >= 0.02 {
        lastSample = now
        let (sendQueue, inProxy) = (serverSendQueue(proxyPort: proxy.upstreamLocalPort), proxy.backlogInProxy)
        backlog.append(sendQueue + inProxy)
        if ProcessInfo.processInfo.environment["SLOW_LINK_DEBUG"] != nil {
            FileHandle.standardError.write(Data("backlog: server send queue \(sendQueue), proxy \(inProxy), proxy port \(proxy.upstreamLocalPort)\n".utf8))
        }
    }
    if let ended = feederEndedAt, frameTracker.lastSeen >= frames && now - lastDataAt > 0.5 || now - ended > 30 { break loop }
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&pfd, 1, 20) > 0 else { continue }
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    if n <= 0 { fail("the connection closed") }
    bytes += n
    lastDataAt = now
    var buffer = ByteBufferAllocator().buffer(capacity: n)
    buffer.writeBytes(chunk[0..<n])
    for action in machine.receive(buffer) {
        switch action {
        case .send(let reply): send(reply)  // fence answers, after everything before them was processed
        case .connected:
            do { send(try machine.setPixelFormat(.xrgb8888)) } catch { fail("pixel format: \(error)") }
            send(machine.setEncodings([.zrle, .fence, .continuousUpdates]))
            send(machine.requestUpdate(incremental: false))
        case .endOfContinuousUpdates:
            // The server confirmed ContinuousUpdates: from now on updates come without requests.
            if !continuous { continuous = true; send(machine.enableContinuousUpdates(true)) }
        case .framebufferUpdated(let region):
            if frameTracker.update(region, bounds: machine.framebuffer.bounds, stamp: stamp(), at: wallClock()) == .started {
                bytesAtStart = bytes
                kill(feederPID, SIGUSR1)
            }
            if !continuous { send(machine.requestUpdate(incremental: true)) }
        case .resized:
            frameTracker.resized()
            if !continuous { send(machine.requestUpdate(incremental: false)) }
        case .error(let error):
            fail("protocol error: \(error)")
        default:
            break
        }
    }
}
close(fd)

let handedOver = readLog().handedOver
let seen = frameTracker.seen
let ages = seen.compactMap { k, t in handedOver[k].map { (t - $0) * 1000 } }.sorted()
guard !ages.isEmpty, !backlog.isEmpty else { fail("the viewer saw none of the frames") }
@MainActor func percentile<T>(_ values: [T], _ p: Double) -> T { values[min(values.count - 1, Int(Double(values.count - 1) * p + 0.5))] }
let backlogs = backlog.sorted()

var expected = [UInt32](repeating: 0, count: Int(screenWidth) * Int(screenHeight))
expected.withUnsafeMutableBufferPointer { bench_paint_since(workload, -1, frames, $0.baseAddress!, Int(screenWidth)) }
var wrong = 0
if machine.framebuffer.width == Int(screenWidth) && machine.framebuffer.height == Int(screenHeight) {
    for (index, pixel) in machine.framebuffer.pixels.enumerated() where (pixel ^ expected[index]) & 0xff_ffff != 0 { wrong += 1 }
} else {
    wrong = expected.count
}
let row = [label, workloadName, "\(frames)", "\(seen.count)",
           String(format: "%.1f", percentile(ages, 0.5)), String(format: "%.1f", percentile(ages, 0.99)),
           String(format: "%.0f", Double(percentile(backlogs, 0.5)) / 1024), String(format: "%.0f", Double(backlogs.last!) / 1024),
           String(format: "%.1f", Double(bytes - bytesAtStart) / Double(frames) / 1024), "\(wrong)"]
print(row.joined(separator: ","))
