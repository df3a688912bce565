import BenchSupport
import Foundation
import Glibc

/// The measuring side of `four-4k-bench view`: viewers on every output port, one per port for the
/// frame-rate phase and two per port for the memory phase, a row per second and output in CSV, and
/// a summary on standard output.
struct LoadRun {
    let serverPID: Int32
    let ports: [UInt16]
    let csvPath: String

    /// The server's resident memory in MiB from /proc/PID/status: VmRSS and its anonymous and
    /// shared-memory parts (RssShmem is the producers' memfd framebuffers the server has mapped
    /// and touched).
    struct Memory { var rss = 0.0, anon = 0.0, shmem = 0.0 }

    func memory() -> Memory {
        guard let text = try? String(contentsOfFile: "/proc/\(serverPID)/status", encoding: .utf8) else { return Memory() }
        var memory = Memory()
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kib = Double(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS:": memory.rss = kib / 1024
            case "RssAnon:": memory.anon = kib / 1024
            case "RssShmem:": memory.shmem = kib / 1024
            default: break
            }
        }
        return memory
    }

    /// utime + stime of the server in seconds (proc(5), fields 14 and 15).
    func cpuSeconds() -> Double { ProcessCPUTime.seconds(of: Int(serverPID)) ?? 0 }

    struct Sample { var phase: String; var second: Int; var output: Int; var fps: Double; var latencies: [Double]; var mbps: Double
                    var memory: Memory; var cpuPercent: Double }

    /// The 1-minute load average (/proc/loadavg): above 2 on this 2-core machine, other work
    /// competed with the server for CPU during the run.
    func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
    }

    func run(fpsSeconds: Int, memorySeconds: Int) throws {
        print("load average at the start: \(loadAverage())")
        var csv = "phase,second,viewers,output,frames_per_s,latency_p50_ms,latency_p99_ms,mbytes_per_s,server_rss_mib,server_rss_anon_mib,server_rss_shmem_mib,server_cpu_percent\n"
        var samples: [Sample] = []
        var viewers: [(output: Int, viewer: MeasuringViewer)] = []
        func addViewers() {
            for (output, port) in ports.enumerated() {
                let viewer = MeasuringViewer(port: port)
                viewer.start()
                viewers.append((output, viewer))
            }
        }
        func measure(_ phase: String, seconds: Int) throws {
            // The viewers' own CPU (this process), to tell a server limit from a viewer limit.
            let ownStart = ProcessCPUTime.seconds(of: Int(getpid())) ?? 0, phaseStart = Date()
            defer {
                let own = (ProcessCPUTime.seconds(of: Int(getpid())) ?? 0) - ownStart
                print("\(phase) phase: the viewers' process used \(format(own / Date().timeIntervalSince(phaseStart) * 100))% CPU (200% = both cores)")
            }
            var cpu = cpuSeconds()
            var tick = Date()
            for second in 1...seconds {
                Thread.sleep(until: tick.addingTimeInterval(1))
                let now = Date()
                let elapsed = now.timeIntervalSince(tick)
                tick = now
                let cpuNow = cpuSeconds()
                let cpuPercent = (cpuNow - cpu) / elapsed * 100
                cpu = cpuNow
                let memory = memory()
                for output in ports.indices {
                    let counts = viewers.filter { $0.output == output }.map { $0.viewer.takeCounts() }
                    if let failure = counts.compactMap(\.failure).first {
                        throw ViewerFailure(description: "viewer of output \(output + 1) failed: \(failure)")
                    }
                    // Per viewer: the frame rate each viewer saw, averaged over the port's viewers.
                    let fps = Double(counts.map(\.frames).reduce(0, +)) / Double(counts.count) / elapsed
                    let latencies = counts.flatMap(\.latencies)
                    let mbps = Double(counts.map(\.bytes).reduce(0, +)) / elapsed / 1e6
                    let sample = Sample(phase: phase, second: second, output: output + 1, fps: fps, latencies: latencies, mbps: mbps,
                                        memory: memory, cpuPercent: cpuPercent)
                    samples.append(sample)
                    csv += [phase, "\(second)", "\(viewers.count)", "\(output + 1)", format(fps), format(percentile(latencies, 0.5)),
                            format(percentile(latencies, 0.99)), String(format: "%.3f", mbps), format(memory.rss), format(memory.anon),
                            format(memory.shmem), format(cpuPercent)].joined(separator: ",") + "\n"
                }
            }
        }
        addViewers()
        try measure("fps", seconds: fpsSeconds)
        addViewers()
        try measure("memory", seconds: memorySeconds)
        for entry in viewers { entry.viewer.stop() }
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        report(samples, fpsSeconds: fpsSeconds, memorySeconds: memorySeconds)
        print("load average at the end: \(loadAverage())")
    }

    struct ViewerFailure: Error, CustomStringConvertible { let description: String }

    /// Medians over each phase after its first 5 seconds (viewers connecting, first full frames).
    private func report(_ samples: [Sample], fpsSeconds: Int, memorySeconds: Int) {
        for (phase, viewersPerOutput) in [("fps", 1), ("memory", 2)] {
            let steady = samples.filter { $0.phase == phase && $0.second > 5 }
            print("\(phase) phase: \(viewersPerOutput) viewer(s) per output, \(ports.count) outputs")
            for output in ports.indices.map({ $0 + 1 }) {
                let rows = steady.filter { $0.output == output }
                let latencies = rows.flatMap(\.latencies)
                print("  output \(output): \(format(median(rows.map(\.fps)))) frames/s per viewer (median of seconds), "
                      + "latency p50 \(format(percentile(latencies, 0.5))) ms p99 \(format(percentile(latencies, 0.99))) ms, "
                      + "\(String(format: "%.3f", median(rows.map(\.mbps)))) MB/s")
            }
            let perSecond = steady.filter { $0.output == 1 }
            print("  server CPU \(format(median(perSecond.map(\.cpuPercent))))% (median; 200% = both cores)")
        }
        let memoryRows = samples.filter { $0.phase == "memory" && $0.output == 1 }
        guard memoryRows.count >= 10 else { return }
        let settled = Array(memoryRows.dropFirst(memoryRows.count / 4))
        let rss = settled.map(\.memory.rss)
        let last = memoryRows.last!.memory
        print("server memory (8 viewers): steady VmRSS \(format(median(rss))) MiB (median after the first quarter), "
              + "max \(format(memoryRows.map(\.memory.rss).max() ?? 0)) MiB; at the end RssAnon \(format(last.anon)) MiB, "
              + "RssShmem \(format(last.shmem)) MiB")
        let slope = Self.slopePerMinute(settled.map { (Double($0.second), $0.memory.rss) })
        let anonSlope = Self.slopePerMinute(settled.map { (Double($0.second), $0.memory.anon) })
        print("  growth over the settled part (least squares): VmRSS \(format(slope)) MiB/min, RssAnon \(format(anonSlope)) MiB/min")
        // Per minute: the mean of each minute's samples; growth is minute 2 against the last minute.
        let minutes = Dictionary(grouping: memoryRows, by: { ($0.second - 1) / 60 }).sorted { $0.key < $1.key }
        guard minutes.count >= 3 else { return }
        func mean(_ rows: [Sample], _ value: (Memory) -> Double) -> Double { rows.map { value($0.memory) }.reduce(0, +) / Double(rows.count) }
        for (minute, rows) in minutes {
            print("  minute \(minute + 1): VmRSS mean \(format(mean(rows, \.rss))) max \(format(rows.map(\.memory.rss).max() ?? 0)), "
                  + "RssAnon mean \(format(mean(rows, \.anon))), RssShmem mean \(format(mean(rows, \.shmem))) MiB")
        }
        let second = minutes[1].value, final = minutes[minutes.count - 1].value
        print("  growth: VmRSS minute \(minutes.count) mean minus minute 2 mean = \(format(mean(final, \.rss) - mean(second, \.rss))) MiB "
              + "(RssAnon \(format(mean(final, \.anon) - mean(second, \.anon))) MiB)")
    }

    /// The least-squares slope of `points` (seconds, MiB) in MiB per minute.
    static func slopePerMinute(_ points: [(Double, Double)]) -> Double {
        guard points.count >= 2 else { return .nan }
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
        let sxx = points.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        let sxy = points.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +)
        return sxx == 0 ? .nan : sxy / sxx * 60
    }

    private func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }

    private func format(_ value: Double) -> String { value.isNaN ? "" : String(format: "%.1f", value) }
}
