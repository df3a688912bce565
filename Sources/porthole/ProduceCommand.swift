import ArgumentParser
import Foundation
import PortholeClient

/// `porthole produce`: a producer process that pushes an animated pattern into an output of its
/// own through memfd framebuffers, paced on page flips.
struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Create an output on a Porthole display device and animate a test pattern on it.")

    @Option(help: "The display device's socket (default: $XDG_RUNTIME_DIR/porthole-0 or /tmp/porthole-$UID/porthole-0).")
    var socket: String?

    @Option(help: "Output size, WxH.")
    var size: String = "640x480"

    @Option(help: "Refresh rate in Hz.")
    var refresh: Double = 60

    @Option(help: "Frames to show before exiting; 0 runs until the server goes away.")
    var frames: Int = 0

    @Option(help: "Name of the output.")
    var name: String = "Pattern-1"

    @Flag(help: "Use the copy path (docs/protocol.md §11): one framebuffer, copied by the server at each tick and released at once.")
    var copy = false

    func run() throws {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let width = UInt32(parts[0]), let height = UInt32(parts[1]),
              (1...8192).contains(width), (1...8192).contains(height) else {
            throw ValidationError("--size must be WxH with each side 1...8192, not '\(size)'")
        }
        guard refresh >= 1, refresh <= 240 else { throw ValidationError("--refresh must be 1...240 Hz") }
        guard frames >= 0 else { throw ValidationError("--frames must not be negative") }
        let client = try DisplayClient(socketPath: socket, role: .producer, name: "porthole produce")
        defer { client.close() }
        let producer = try PatternProducer(client: client, name: name, width: width, height: height,
                                           refreshMillihertz: UInt32(refresh * 1000), copy: copy)
        print("porthole produce: output \(producer.output.outputID) \"\(name)\" \(width)x\(height) at \(refresh) Hz\(copy ? ", copy path" : "")")
        fflush(stdout)  // scripts and tests wait for this line while the producer runs on
        do {
            try producer.run(frameCount: frames)
        } catch DisplayClientError.closed {
            print("porthole produce: the server closed the connection")
        }
        let stats = producer.statistics
        print("porthole produce: \(stats.frames) frames, \(stats.releases) releases, \(stats.resizes) resizes")
    }
}
