import CBenchFrames
import DisplayProtocol
import Foundation
import Glibc
import PortholeClient

/// The feeder of Porthole's display device in bench/run-peers.sh (docs/benchmarks.md, "Porthole
/// and its peers"): a producer (PortholeClient) that hands the benchmark's frames to
/// `porthole serve --device` the way docs/protocol.md asks a producer to.
///
///   porthole-feed WORKLOAD FRAMES FPS LOG SOCKET [moves]
///
/// It creates one output of the workload's size at 60 Hz and three sealed memfd framebuffers
/// (§11). Each frame is painted into a released framebuffer only, brought up to date from the
/// frame that buffer last held (bench_paint_since), and committed with that frame's damage (§5.8).
/// With `moves`, a frame that is a move (scrolling, drag: bench_move) is committed the way a
/// producer that knows its scroll or its dragged window would: one move (§5.8, version 1.2;
/// destination the moved rect's new place, source its old top-left) plus the rects the move
/// uncovered as damage, instead of bench_damage's rects. It is the display device's counterpart of
/// feed-x11's CopyArea and peer-libvncserver's rfbDoCopyRect. A server that speaks less than 1.2
/// (an older build, in bench/device-ab.sh) gets damage only, and stderr says so.
/// The hand-over time logged is the moment before the Commit is written (`handOver`); the feeder
/// then waits for CommitAccepted (§7.7) before painting the next frame. Frames are handed over at
/// FPS (30 by default in the benchmark, below the 60 Hz frame clock), so the mailbox (§12) rarely
/// replaces a commit. The log and the start signal (SIGUSR1) are described in bench/feed.h.
let arguments = CommandLine.arguments
guard arguments.count == 6 || arguments.count == 7 && arguments[6] == "moves", let frames = Int(arguments[2]), frames >= 1,
      let fps = Double(arguments[3]), fps > 0 else {
    FileHandle.standardError.write(Data("usage: porthole-feed WORKLOAD FRAMES FPS LOG SOCKET [moves]\n".utf8))
    exit(2)
}
let movesRequested = arguments.count == 7
let workload = bench_workload_named(arguments[1])
let (logPath, socketPath) = (arguments[4], arguments[5])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("porthole-feed: \(message)\n".utf8))
    exit(1)
}
guard workload >= 0 else { fail("unknown workload \(arguments[1])") }
guard let log = fopen(logPath, "w") else { fail("cannot write \(logPath)") }

func clock(_ id: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(id, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func logLine(_ line: String) {
    fputs(line + "\n", log)
    fflush(log)
}

var startSignal = sigset_t()
sigemptyset(&startSignal)
sigaddset(&startSignal, SIGUSR1)
pthread_sigmask(SIG_BLOCK, &startSignal, nil)

var width: Int32 = 0, height: Int32 = 0
bench_screen_size(workload, &width, &height)

do {
    let client = try DisplayClient(socketPath: socketPath, role: .producer, name: "porthole-feed")
    let reportsMoves = movesRequested && client.welcome.version.minor >= 2
    if movesRequested && !reportsMoves {
        let note = "porthole-feed: the server speaks protocol \(client.welcome.version), which has no moves (1.2); sending damage only\n"
        FileHandle.standardError.write(Data(note.utf8))
    }
    let output = try client.createOutput(name: "bench", width: UInt32(width), height: UInt32(height))
    var buffers: [(buffer: ProducerBuffer, framebuffer: UInt32, frame: Int)] = []
    for _ in 0..<3 {
        let buffer = try ProducerBuffer(width: UInt32(width), height: UInt32(height))
        buffers.append((buffer, try client.createFramebuffer(buffer), -1))
    }
    var free = Set(buffers.map(\.framebuffer))

    /// Takes queued Release events; waits for one when no framebuffer is free.
    func takeReleases() throws {
        repeat {
            var events = client.takeEvents { _ in true }
            if events.isEmpty, free.isEmpty, let event = try client.nextEvent(timeout: 5) { events = [event] }
            for case .release(let id) in events { free.insert(id) }
        } while free.isEmpty
    }

    var paintCPU = 0.0
    /// Paints frame k into a free framebuffer and commits it with `moves` and `damage` (none:
    /// everything). Returns when the commit was handed over: the moment before it is written to
    /// the socket, as neatvnc's and libvncserver's feeders log the moment they call the server.
    /// (Not when CommitAccepted arrives: the device sends that together with the PageFlip, after
    /// it has flipped and composed an idle output, so the composing would not count.)
    @discardableResult
    func handOver(_ k: Int, damage: [WireRect], moves: [WireMove] = []) throws -> Double {
        try takeReleases()
        guard let id = free.min(), let index = buffers.firstIndex(where: { $0.framebuffer == id }) else { fail("no framebuffer") }
        free.remove(id)
        let cpu = clock(CLOCK_THREAD_CPUTIME_ID)
        buffers[index].buffer.withPixels { bench_paint_since(workload, buffers[index].frame, k, $0.baseAddress!, Int(width)) }
        paintCPU += clock(CLOCK_THREAD_CPUTIME_ID) - cpu
        buffers[index].frame = k
        let handedOver = clock(CLOCK_REALTIME)
        try client.present(framebuffer: id, width: UInt32(width), height: UInt32(height), on: output.primaryPlaneID,
                           damage: damage, moves: moves)
        return handedOver
    }

    // Every buffer holds frame 0 before the measurement begins, as a producer's swapchain is set
    // up before it starts drawing: otherwise frames 1 and 2 each paint a fresh buffer whole (tens
    // of milliseconds at 3840x2160), which competes with the server for the two cores.
    for index in buffers.indices {
        buffers[index].buffer.withPixels { bench_paint_since(workload, -1, 0, $0.baseAddress!, Int(width)) }
        buffers[index].frame = 0
    }
    try handOver(0, damage: [])
    logLine("ready")
    var signal: Int32 = 0
    sigwait(&startSignal, &signal)
    paintCPU = 0 // frame 0 was painted before the measurement began

    let start = clock(CLOCK_REALTIME)
    var rects = [bench_rect](repeating: bench_rect(), count: Int(BENCH_MAX_RECTS))
    var from = bench_rect(), toX: Int32 = 0, toY: Int32 = 0
    for k in 1...frames {
        let due = start + Double(k - 1) / fps
        let wait = due - clock(CLOCK_REALTIME)
        if wait > 0 { usleep(UInt32(wait * 1e6)) }
        // bench_move gives the rects left to paint after the move (the stamp last), or -1 when
        // frame k is no move; then bench_damage gives the frame's rects.
        var count = reportsMoves ? Int(bench_move(workload, k, &from, &toX, &toY, &rects)) : -1
        var moves: [WireMove] = []
        if count >= 0 {
            moves = [WireMove(destination: WireRect(x: toX, y: toY, width: UInt32(from.width), height: UInt32(from.height)),
                              sourceX: from.x, sourceY: from.y)]
        } else {
            count = Int(bench_damage(workload, k, &rects))
        }
        let handedOver = try handOver(k, damage: rects[0..<count].map { WireRect(x: $0.x, y: $0.y, width: UInt32($0.width), height: UInt32($0.height)) },
                                      moves: moves)
        logLine(String(format: "%d %.6f", k, handedOver))
    }
    logLine(String(format: "end %.6f", paintCPU))
    // Stay connected (the output would otherwise go away) and keep reading events until killed.
    while true { _ = try client.nextEvent(timeout: 1) }
} catch {
    fail("\(error)")
}
