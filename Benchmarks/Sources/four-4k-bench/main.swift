import Foundation
import DisplayProtocol
import Glibc

/// `bench/four-4k.sh` (docs/benchmarks.md, "Four 4K outputs"): issue #6's load on
/// `porthole serve --device --output-ports`.
///
///   four-4k-bench feed SOCKET OUTPUTS WIDTH HEIGHT
///       OUTPUTS producers (DesktopFeed), one thread each, until killed.
///   four-4k-bench view SERVER_PID FPS_SECONDS MEMORY_SECONDS CSV PORT...
///       One viewer per port for FPS_SECONDS, then two per port for MEMORY_SECONDS, sampling the
///       server's /proc/PID/status every second; writes CSV and prints a summary.
let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: four-4k-bench feed SOCKET OUTPUTS WIDTH HEIGHT
               four-4k-bench view SERVER_PID FPS_SECONDS MEMORY_SECONDS CSV PORT...

        """.utf8))
    exit(2)
}

switch arguments.first {
case "feed":
    guard arguments.count == 5, let outputs = Int(arguments[2]), let width = Int(arguments[3]), let height = Int(arguments[4]),
          (1...16).contains(outputs), width >= 1000, height >= 800 else { usage() }
    let socket = arguments[1]
    // Outputs are created one after the other, so Bench-n takes slot n-1 (the --listen port + n-1).
    for n in 1...outputs {
        let feed = DesktopFeed(width: width, height: height)
        do {
            let (client, output) = try feed.connect(socketPath: socket, name: "Bench-\(n)")
            nonisolated(unsafe) let unsafeClient = client
            Thread {
                do { try feed.run(client: unsafeClient, output: output, name: "Bench-\(n)", seconds: nil) } catch {
                    FileHandle.standardError.write(Data("four-4k-bench feed Bench-\(n): \(error)\n".utf8))
                    exit(1)
                }
            }.start()
        } catch {
            FileHandle.standardError.write(Data("four-4k-bench feed Bench-\(n): \(error)\n".utf8))
            exit(1)
        }
    }
    while true { sleep(60) }
case "view":
    guard arguments.count >= 6, let pid = Int32(arguments[1]), let fpsSeconds = Int(arguments[2]), let memorySeconds = Int(arguments[3]),
          fpsSeconds >= 5, memorySeconds >= 10 else { usage() }
    let ports = arguments[5...].compactMap { UInt16($0) }
    guard ports.count == arguments.count - 5 else { usage() }
    try LoadRun(serverPID: pid, ports: ports, csvPath: arguments[4]).run(fpsSeconds: fpsSeconds, memorySeconds: memorySeconds)
default:
    usage()
}
