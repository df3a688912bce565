import Foundation
import Pixels

/// `peers/python_producer.py`: a display-device producer written from docs/protocol.md alone, in
/// Python with only its standard library. It shows one picture on an output of its own and stays
/// connected until it is stopped.
final class PythonProducer {
    private let process: ChildProcess

    var log: String { process.output }

    static func script() throws -> URL {
        guard let url = Bundle.module.url(forResource: "python_producer", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/python_producer.py is missing from the test bundle's resources")
        }
        return url
    }

    /// Writes `picture` as PPM, starts the producer on `socket` and waits until it reports the
    /// page flip of its commit (docs/protocol.md §7.9).
    init(socket: String, showing picture: PixelBuffer, name: String = "Python-1", scratch: ScratchDirectory,
         timeout: Double = 60) async throws {
        let ppm = scratch.uniqueFile("producer-picture", extension: "ppm")
        try PortablePixmap.write(picture, to: ppm)
        process = try ChildProcess(try requirePeer("python3"),
                                   [try Self.script().path, "--socket", socket, "--name", name, "--timeout", "\(Int(timeout))", ppm.path],
                                   logFile: scratch.uniqueFile("python-producer", extension: "log"))
        let flipped = await process.waitForOutput(timeout: timeout) { $0.contains("page flip output") ? true : nil }
        guard flipped == true else {
            let state = process.isRunning ? "still running" : "exited"
            let log = process.output
            process.stop()
            throw HarnessError("python_producer reported no page flip within \(timeout) s (\(state)); log:\n\(log)")
        }
    }

    var isRunning: Bool { process.isRunning }
    func stop() { process.stop() }
    deinit { process.stop() }
}
