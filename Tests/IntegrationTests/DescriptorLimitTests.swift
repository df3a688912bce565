import Foundation
import Testing

/// A server at its descriptor limit (EMFILE) pauses accepting, says so once, leaves the waiting
/// connections queued and accepts again when descriptors free up (`AcceptBackoff`). Before, the
/// listeners were woken at once, again and again: a core spun in NIO without a word in the log,
/// and the display device's socket logged 972 500 lines in five seconds.
///
/// Each case runs the server under `ulimit -n 48` (it holds about 20 descriptors of its own) and
/// opens 70 silent connections, so some are accepted and the rest wait in the listen queue.
@Suite struct DescriptorLimitTests {
    private static let limit = 48
    private static let held = 70

    enum Listener: String, CaseIterable {
        /// The demo output: viewers accepted in NIO (`ListeningChannelBackoff`).
        case demoViewers
        /// A display-device output: viewers accepted on the device's thread (`ThreadedViewerListener`).
        case deviceViewers
    }

    @Test(arguments: Listener.allCases)
    func viewersPastTheLimitWaitAndAreServedOnceDescriptorsFree(listener: Listener) async throws {
        let scratch = try ScratchDirectory("descriptor-limit-\(listener.rawValue)")
        let arguments = listener == .demoViewers ? ["--size", "320x200"] : ["--device", "--socket", scratch.file("device.sock").path]
        let server = try await PortholeServer(arguments, scratch: scratch, descriptorLimit: Self.limit)
        defer { server.stop() }

        let connections = try HeldConnections(tcpPort: server.port, count: Self.held)
        try await expectAPauseWithoutSpinning(server, reported: "cannot accept viewers on")

        connections.close()
        let picture = try await VNCSnapshot.capture(port: server.port, scratch: scratch)
        #expect(picture.width == (listener == .demoViewers ? 320 : 1024), "\(server.log)")
        #expect(await server.waitForLogLine { $0.contains("accepting viewers on") && $0.contains("again, after") } != nil, "\(server.log)")
    }

    @Test func producersPastTheLimitWaitAndAreServedOnceDescriptorsFree() async throws {
        let scratch = try ScratchDirectory("descriptor-limit-producers")
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--socket", socket], scratch: scratch, descriptorLimit: Self.limit)
        defer { server.stop() }

        let connections = try HeldConnections(unixSocket: socket, count: Self.held)
        try await expectAPauseWithoutSpinning(server, reported: "cannot accept a producer")

        connections.close()
        let picture = Fixtures.desktop()
        let producer = try await PythonProducer(socket: socket, showing: picture, scratch: scratch)
        defer { producer.stop() }
        let captured = try await VNCSnapshot.capture(port: server.port, scratch: scratch)
        #expect(captured.width == picture.width && captured.height == picture.height, "\(server.log)")
        #expect(await server.waitForLogLine { $0.contains("accepting producers again, after") } != nil, "\(server.log)")
    }

    /// Waits for the report of the failed accept, then checks over two seconds of the pause that
    /// the server neither spins nor logs the failure again.
    private func expectAPauseWithoutSpinning(_ server: PortholeServer, reported message: String) async throws {
        let reported = await server.waitForLogLine { $0.contains(message) && $0.contains("Too many open files") }
        #expect(reported != nil, "\(server.log)")
        let before = try ProcessCPU.seconds(of: server.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let spent = try ProcessCPU.seconds(of: server.processIdentifier) - before
        // Idle, the server takes a few hundredths of a second here; spinning, two seconds or more.
        #expect(spent < 0.5, "the server spent \(spent) s of CPU in 2 s while at its descriptor limit")
        let reports = server.log.split(separator: "\n").filter { $0.contains(message) }
        #expect(reports.count == 1, "\(reports.count) reports:\n\(reports.prefix(5).joined(separator: "\n"))")
        #expect(server.isRunning)
    }
}
