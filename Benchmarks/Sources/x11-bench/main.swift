import BenchSupport
import Foundation
import Geometry
import Glibc
import NIOCore
import Pixels
import RFB
import RFBClient

/// One run of the X11 mirror comparison (bench/x11-vs-x11vnc.sh): a real RFB viewer on one
/// server, while `x11-draw` draws numbered frames on the X display the server mirrors.
///
///   x11-bench LABEL PORT SERVER_PID WORKLOAD FRAMES FPS DRAWER DRAW_LOG
///
/// The viewer (RFBClient's ClientStateMachine over a plain socket, ZRLE only, nothing else
/// advertised, one incremental FramebufferUpdateRequest outstanding at a time) waits for the whole
/// first picture, then starts the drawer. Until the drawer has finished and its last frame arrived
/// (or two seconds passed), it counts the bytes received and notes, for each decoded update, the
/// frame number the stamp pixel at (8,8) shows (x11-draw paints 0x80 in red and the number in
/// green and blue). Afterwards it prints one CSV row:
///
///   server,workload,frames,frames_seen,cpu_ms_per_frame,bytes_per_frame,bytes_per_seen_frame,latency_median_ms,latency_p95_ms
///
/// CPU is the server process's utime+stime from /proc/PID/stat over the drawing, per drawn frame;
/// bytes are everything the viewer received over the drawing, per drawn and per seen frame;
/// latency is the viewer's receipt of a frame minus the time x11-draw saw that frame executed by
/// the X server, over the frames the viewer saw (a server may skip frames by coalescing them).
let arguments = CommandLine.arguments
guard arguments.count == 9, let port = UInt16(arguments[2]), let serverPID = Int(arguments[3]),
      let frames = Int(arguments[5]) else {
    FileHandle.standardError.write(Data("usage: x11-bench LABEL PORT SERVER_PID WORKLOAD FRAMES FPS DRAWER DRAW_LOG\n".utf8))
    exit(2)
}
let (label, workload, fps, drawer, drawLog) = (arguments[1], arguments[4], arguments[6], arguments[7], arguments[8])

@MainActor func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("x11-bench (\(label), \(workload)): \(message)\n".utf8))
    exit(1)
}

@MainActor func wallClock() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// utime + stime of `pid` in seconds.
@MainActor func cpuSeconds(_ pid: Int) -> Double {
    guard let seconds = ProcessCPUTime.seconds(of: pid) else { fail("cannot read /proc/\(pid)/stat") }
    return seconds
}

guard let connection = LoopbackSocket.connect(port: port, attempts: 100) else { fail("cannot connect to 127.0.0.1:\(port)") }
let fd = connection.fd

@MainActor func send(_ buffer: ByteBuffer) {
    if !connection.send(buffer) { fail("write failed") }
}

var machine = ClientStateMachine(configuration: ClientConfiguration(password: nil, shared: true), decoders: DecoderRegistry.all())
var chunk = [UInt8](repeating: 0, count: 1 << 20)
var received = Region()
var firstPictureComplete = false
var bytes = 0
var bytesAtStart = 0
var cpuAtStart = 0.0
var drawing: Process?
var drawerDoneAt: Double?
var seen: [Int: Double] = [:]
var lastSeen = 0
let deadline = wallClock() + 60 + Double(frames) / (Double(fps) ?? 30)

@MainActor func startDrawing() {
    bytesAtStart = bytes
    cpuAtStart = cpuSeconds(serverPID)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: drawer)
    process.arguments = [workload, "\(frames)", fps, drawLog]
    do { try process.run() } catch { fail("cannot start \(drawer): \(error)") }
    drawing = process
}

loop: while true {
    let now = wallClock()
    if now > deadline { fail("no end within the time limit (last frame seen \(lastSeen) of \(frames))") }
    if let process = drawing, drawerDoneAt == nil, !process.isRunning {
        guard process.terminationStatus == 0 else { fail("x11-draw exited with \(process.terminationStatus)") }
        drawerDoneAt = now
    }
    if let done = drawerDoneAt, lastSeen >= frames || now - done > 2 { break loop }
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&pfd, 1, 50) > 0 else { continue }
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    if n <= 0 { fail("the server closed the connection") }
    bytes += n
    var buffer = ByteBufferAllocator().buffer(capacity: n)
    buffer.writeBytes(chunk[0..<n])
    for action in machine.receive(buffer) {
        switch action {
        case .send(let reply): send(reply)
        case .connected:
            send(machine.setEncodings([.zrle]))
            send(machine.requestUpdate(incremental: false))
        case .framebufferUpdated(let region):
            let at = wallClock()
            if !firstPictureComplete {
                received.formUnion(region)
                if received.contains(machine.framebuffer.bounds) { firstPictureComplete = true; startDrawing() }
            } else {
                let stamp = machine.framebuffer[8, 8]
                if stamp >> 16 & 0xff == 0x80 {
                    let k = Int(stamp & 0xffff)
                    if k > lastSeen { lastSeen = k; seen[k] = at }
                }
            }
            send(machine.requestUpdate(incremental: true))
        case .resized:
            fail("the framebuffer was resized")
        case .error(let error):
            fail("protocol error: \(error)")
        default:
            break
        }
    }
}
let cpu = cpuSeconds(serverPID) - cpuAtStart
let payload = bytes - bytesAtStart
close(fd)

guard let log = try? String(contentsOfFile: drawLog, encoding: .utf8) else { fail("no drawing log at \(drawLog)") }
var drawn: [Int: Double] = [:]
for line in log.split(separator: "\n") {
    let parts = line.split(separator: " ")
    if parts.count == 2, let k = Int(parts[0]), let t = Double(parts[1]) { drawn[k] = t }
}
guard drawn.count == frames else { fail("the drawing log has \(drawn.count) of \(frames) frames") }
let latencies = seen.compactMap { k, t in drawn[k].map { (t - $0) * 1000 } }.sorted()
guard !latencies.isEmpty else { fail("the viewer saw none of the drawn frames") }
@MainActor func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * p + 0.5))] }
let row = [label, workload, "\(frames)", "\(seen.count)",
           String(format: "%.3f", cpu * 1000 / Double(frames)),
           String(format: "%.0f", Double(payload) / Double(frames)),
           String(format: "%.0f", Double(payload) / Double(seen.count)),
           String(format: "%.2f", percentile(0.5)), String(format: "%.2f", percentile(0.95))]
print(row.joined(separator: ","))
