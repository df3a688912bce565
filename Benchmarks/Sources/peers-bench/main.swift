import BenchSupport
import CBenchFrames
import Foundation
import Geometry
import Glibc
import NIOCore
import Pixels
import RFB
import RFBClient

/// The measuring viewer of bench/run-peers.sh (docs/benchmarks.md, "Porthole and its peers"): one
/// real RFB viewer on one server while a feeder hands the server the benchmark's frames.
///
///   peers-bench LABEL WORKLOAD PORT SERVER_PIDS FEEDER_PID LOG FRAMES PAINT_IN_SERVER [ENCODINGS]
///
/// The viewer (RFBClient's ClientStateMachine over a plain socket) sets the pixel format to
/// 32-bit XRGB, asks for ZRLE only with no pseudo-encodings (ENCODINGS `zrle`, the default) or
/// for ZRLE and CopyRect (`zrle+copyrect`; CopyRect rectangles are applied to the picture as
/// they come, RFC 6143 §7.7.2, so the stamp and the final picture check them too), or for Tight
/// only (`tight`, lossless: no QualityLevel; bench/device-profile.sh's ENCODINGS, not part of
/// run-peers.sh's table), and keeps one incremental
/// FramebufferUpdateRequest outstanding, as a plain viewer does. Once it holds the whole frame 0
/// (read from the 16x16 stamp, see bench_frames.h) it sends SIGUSR1 to FEEDER_PID, which then
/// hands over frames 1...FRAMES and logs each hand-over time to LOG (bench/feed.h). For each
/// decoded update the viewer reads the stamp at (8,8) and notes the first time it shows a newer
/// frame. It stops once the last frame arrived and the server was quiet for 0.3 s, or 3 s after
/// the feeder logged its end.
///
/// It prints one CSV row:
///
///   server,workload,width,height,frames,frames_seen,fps_delivered,latency_p50_ms,latency_p99_ms,bytes_per_frame,cpu_ms_per_frame,wrong_pixels,encodings,copyrect_rects,copyrect_share
///
/// - fps_delivered: frames seen per second of feeding (first to last hand-over, plus one interval);
/// - latency: receipt minus hand-over of each frame seen (frames a server coalesced are not seen);
/// - bytes_per_frame: everything received while feeding, per frame handed over;
/// - cpu_ms_per_frame: CPU time (`ProcessCPUTime`: the process's CPU clock, to the nanosecond) of
///   all SERVER_PIDS (comma-separated) over the
///   feeding, minus the feeder's painting when PAINT_IN_SERVER is 1 (the feeder is the server
///   process), per frame handed over;
/// - wrong_pixels: pixels of the viewer's final picture that differ from frame FRAMES; with
///   PEERS_BENCH_DUMP=DIR in the environment, a run with wrong pixels writes both pictures to DIR
///   (LABEL-WORKLOAD-PID-final.raw and -expected.raw: 32-bit XRGB pixels, rows of the screen's
///   width), so the difference can be looked at;
/// - with PEERS_BENCH_RECTS=DIR in the environment, every update received while feeding is
///   written to DIR/LABEL-WORKLOAD-ENCODINGS.rects as one line: the bytes read since the last update, then
///   the area its rectangles covered as x,y,wxh (to compare how servers cut the same damage). That
///   area is the `Region` the client reports, in bands: it shows which pixels a server sent, not
///   how many rectangles it sent them in (two rectangles of one width, one above the other, may
///   show as one, and one rectangle beside another of a different height as several);
/// - with PEERS_BENCH_LATENCIES=FILE in the environment, each frame seen is written to FILE as
///   "frame,hand-over seconds,latency ms", in frame order (to see when the slow frames came);
/// - encodings: ENCODINGS;
/// - copyrect_rects: CopyRect rectangles received while feeding; copyrect_share: the pixels they
///   moved, as a fraction of all pixels of the rectangles received while feeding.
let arguments = CommandLine.arguments
let encodingSets: [String: [Encoding]] = ["zrle": [.zrle], "zrle+copyrect": [.zrle, .copyRect], "tight": [.tight]]
guard arguments.count == 9 || arguments.count == 10 && encodingSets[arguments[9]] != nil, let port = UInt16(arguments[3]), let feederPID = Int32(arguments[5]),
      let frames = Int(arguments[7]), frames > 1 else {
    FileHandle.standardError.write(Data("usage: peers-bench LABEL WORKLOAD PORT SERVER_PIDS FEEDER_PID LOG FRAMES PAINT_IN_SERVER [zrle|zrle+copyrect|tight]\n".utf8))
    exit(2)
}
let (label, workloadName, logPath) = (arguments[1], arguments[2], arguments[6])
let serverPIDs = arguments[4].split(separator: ",").compactMap { Int($0) }
let paintInServer = arguments[8] == "1"
let encodingsName = arguments.count == 10 ? arguments[9] : "zrle"
let encodings = encodingSets[encodingsName]!
let workload = bench_workload_named(workloadName)

@MainActor func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("peers-bench (\(label), \(workloadName)): \(message)\n".utf8))
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

/// CPU time of `pid` in seconds (`ProcessCPUTime`).
@MainActor func cpuSeconds(_ pid: Int) -> Double {
    guard let seconds = ProcessCPUTime.seconds(of: pid) else { fail("cannot read the CPU time of process \(pid)") }
    return seconds
}

@MainActor func serverCPU() -> Double { serverPIDs.reduce(0) { $0 + cpuSeconds($1) } }

/// The feeder's log: hand-over times by frame, and its painting CPU once it has ended.
@MainActor func readLog() -> (handedOver: [Int: Double], paintCPU: Double?) {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return ([:], nil) }
    var handedOver: [Int: Double] = [:]
    var paintCPU: Double?
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count == 2 else { continue }
        if parts[0] == "end" { paintCPU = Double(parts[1]) } else if let k = Int(parts[0]), let t = Double(parts[1]) { handedOver[k] = t }
    }
    return (handedOver, paintCPU)
}

guard let connection = LoopbackSocket.connect(port: port, attempts: 100) else { fail("cannot connect to 127.0.0.1:\(port)") }
let fd = connection.fd

@MainActor func send(_ buffer: ByteBuffer) {
    if !connection.send(buffer) { fail("write failed") }
}

let copyRects = CountingCopyRectDecoder.Counts()
var decoders = DecoderRegistry.all()
decoders[.copyRect] = CountingCopyRectDecoder(counts: copyRects)
var machine = ClientStateMachine(configuration: ClientConfiguration(password: nil, shared: true), decoders: decoders)
var chunk = [UInt8](repeating: 0, count: 1 << 20)
var frameTracker = StampedFrameTracker()
var bytes = 0
var bytesAtStart = 0
var cpuAtStart = 0.0
var copyRectsAtStart = (rectangles: 0, pixels: 0)
/// Pixels of all rectangles received while feeding (the updates' regions may overlap between updates).
var pixelsReceived = 0
var feederEndedAt: Double?
let rectsLog: FileHandle? = ProcessInfo.processInfo.environment["PEERS_BENCH_RECTS"].flatMap { dir in
    let path = "\(dir)/\(label)-\(workloadName)-\(encodingsName).rects"
    FileManager.default.createFile(atPath: path, contents: nil)
    return FileHandle(forWritingAtPath: path)
}
var bytesAtLastUpdate = 0
var lastLogCheck = 0.0
var lastDataAt = 0.0
let deadline = wallClock() + 60 + Double(frames) / 10

/// The stamp of the viewer's picture, or -1 (no stamp, or not the workload's screen size yet).
@MainActor func stamp() -> Int {
    guard machine.framebuffer.width == Int(screenWidth), machine.framebuffer.height == Int(screenHeight) else { return -1 }
    return bench_stamp_value(machine.framebuffer[8, 8])
}

loop: while true {
    let now = wallClock()
    if now > deadline { fail("no end within the time limit (last frame seen \(frameTracker.lastSeen) of \(frames))") }
    if frameTracker.started, feederEndedAt == nil, now - lastLogCheck > 0.1 {
        lastLogCheck = now
        if readLog().paintCPU != nil { feederEndedAt = now }
    }
    // The end: the last frame arrived and the server has been quiet for 0.3 s (so what follows
    // the stamp's update arrives too), or 3 s passed since the feeder's end.
    if let ended = feederEndedAt, frameTracker.lastSeen >= frames && now - lastDataAt > 0.3 || now - ended > 3 { break loop }
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&pfd, 1, 50) > 0 else { continue }
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    if n <= 0 { fail("the server closed the connection") }
    bytes += n
    lastDataAt = now
    var buffer = ByteBufferAllocator().buffer(capacity: n)
    buffer.writeBytes(chunk[0..<n])
    for action in machine.receive(buffer) {
        switch action {
        case .send(let reply): send(reply)
        case .connected:
            do { send(try machine.setPixelFormat(.xrgb8888)) } catch { fail("pixel format: \(error)") }
            send(machine.setEncodings(encodings))
            send(machine.requestUpdate(incremental: false))
        case .framebufferUpdated(let region):
            let wasStarted = frameTracker.started
            if frameTracker.update(region, bounds: machine.framebuffer.bounds, stamp: stamp(), at: wallClock()) == .started {
                bytesAtStart = bytes
                cpuAtStart = serverCPU()
                copyRectsAtStart = (copyRects.rectangles, copyRects.pixels)
                kill(feederPID, SIGUSR1)
            }
            if wasStarted {
                pixelsReceived += region.rects.reduce(0) { $0 + $1.width * $1.height }
                let rects = region.rects.map { "\($0.x),\($0.y),\($0.width)x\($0.height)" }.joined(separator: " ")
                rectsLog?.write(Data("\(bytes - bytesAtLastUpdate) \(rects)\n".utf8))
            }
            bytesAtLastUpdate = bytes
            send(machine.requestUpdate(incremental: true))
        case .resized:
            // Porthole's device serves a waiting card until the producer's output is up.
            frameTracker.resized()
            send(machine.requestUpdate(incremental: false))
        case .error(let error):
            fail("protocol error: \(error)")
        default:
            break
        }
    }
}
let cpu = serverCPU() - cpuAtStart
let payload = bytes - bytesAtStart
close(fd)

let (handedOver, paintCPU) = readLog()
guard handedOver.count == frames, let first = handedOver[1], let last = handedOver[frames] else {
    fail("the feeder's log has \(handedOver.count) of \(frames) frames")
}
let seen = frameTracker.seen
let latencies = seen.compactMap { k, t in handedOver[k].map { (t - $0) * 1000 } }.sorted()
guard !latencies.isEmpty else { fail("the viewer saw none of the frames") }
if let path = ProcessInfo.processInfo.environment["PEERS_BENCH_LATENCIES"] {
    let lines = seen.keys.sorted().compactMap { k in handedOver[k].map { "\(k),\($0),\(((seen[k]! - $0) * 1000))" } }
    FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
}
@MainActor func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * p + 0.5))] }
let feedSeconds = (last - first) * Double(frames) / Double(frames - 1)
let serverSeconds = cpu - (paintInServer ? paintCPU ?? 0 : 0)

// Frame FRAMES as every server was given it, against the viewer's picture (RGB only).
var expected = [UInt32](repeating: 0, count: Int(screenWidth) * Int(screenHeight))
expected.withUnsafeMutableBufferPointer { bench_paint_since(workload, -1, frames, $0.baseAddress!, Int(screenWidth)) }
var wrong = 0
if machine.framebuffer.width == Int(screenWidth) && machine.framebuffer.height == Int(screenHeight) {
    for (index, pixel) in machine.framebuffer.pixels.enumerated() where (pixel ^ expected[index]) & 0xff_ffff != 0 { wrong += 1 }
} else {
    wrong = expected.count
}
if wrong > 0, let dir = ProcessInfo.processInfo.environment["PEERS_BENCH_DUMP"] {
    let stem = "\(dir)/\(label)-\(workloadName)-\(getpid())"
    machine.framebuffer.pixels.withUnsafeBytes { _ = FileManager.default.createFile(atPath: stem + "-final.raw", contents: Data($0)) }
    expected.withUnsafeBytes { _ = FileManager.default.createFile(atPath: stem + "-expected.raw", contents: Data($0)) }
}

let row = [label, workloadName, "\(screenWidth)", "\(screenHeight)", "\(frames)", "\(seen.count)",
           String(format: "%.2f", Double(seen.count) / feedSeconds),
           String(format: "%.2f", percentile(0.5)), String(format: "%.2f", percentile(0.99)),
           String(format: "%.0f", Double(payload) / Double(frames)),
           String(format: "%.3f", serverSeconds * 1000 / Double(frames)),
           "\(wrong)", encodingsName, "\(copyRects.rectangles - copyRectsAtStart.rectangles)",
           String(format: "%.3f", Double(copyRects.pixels - copyRectsAtStart.pixels) / Double(max(1, pixelsReceived)))]
print(row.joined(separator: ","))
