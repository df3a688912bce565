import Foundation
import Pixels
import Testing

/// The X server behind `porthole serve --x11 --x11-retry` goes away and comes back: the RFB server
/// stays up, says so in its log, shows the last picture with the stale notice, and resumes
/// mirroring the new server (at its new size) once it is back.
@Suite struct X11ReconnectTests {
    /// No live X server holds display `n`: no lock file, or one naming a process that has exited.
    static func displayIsFree(_ n: Int) -> Bool {
        guard let lock = try? String(contentsOfFile: "/tmp/.X\(n)-lock", encoding: .utf8) else {
            return !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(n)")
        }
        guard let pid = Int32(lock.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    @Test func losingAndRegainingTheXServer() async throws {
        let scratch = try ScratchDirectory("x11-reconnect")
        let xvfb = try requirePeer("Xvfb")
        // A high display number, out of the way of the other tests' Xvfbs (which take the lowest
        // free one with -displayfd), so that it is still free when the second server takes it.
        // A lock whose process is gone (an Xvfb killed with its test run) counts as free: Xvfb
        // itself takes such a number over, removing the stale lock and socket.
        let displayNumber = try #require((80...99).first { Self.displayIsFree($0) }, "no free X display number in 80...99")
        let display = ":\(displayNumber)"
        let first = try ChildProcess(xvfb, [display, "-noreset", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                                     logFile: scratch.uniqueFile("Xvfb-first", extension: "log"))
        defer { first.stop() }
        try await Self.waitForDisplay(display, scratch: scratch)

        let server = try await PortholeServer(["--x11", display, "--x11-retry"], scratch: scratch)
        defer { server.stop() }
        let before = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
        #expect(before.size.width == 640 && before.size.height == 480)

        first.stop()
        let lost = await server.waitForLogLine(timeout: 45) { $0.contains("lost the X server \(display)") }
        #expect(lost != nil, "no line about losing the X server:\n\(server.log)")
        let stale = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
        #expect(server.isRunning)
        #expect(stale.size == before.size && [0xd0_1010, 0xf0_d000].contains(stale[0, 0]),
                "the stale picture has no notice: corner pixel \(String(stale[0, 0], radix: 16))")

        // The same display number comes back with another size. The first server was ours and is
        // gone; a lock file or socket it left (killed under load) would stop the second one from
        // taking the number.
        try? FileManager.default.removeItem(atPath: "/tmp/.X\(displayNumber)-lock")
        try? FileManager.default.removeItem(atPath: "/tmp/.X11-unix/X\(displayNumber)")
        let second = try ChildProcess(xvfb, [display, "-noreset", "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                                      logFile: scratch.uniqueFile("Xvfb-second", extension: "log"))
        defer { second.stop() }
        try await Self.waitForDisplay(display, scratch: scratch)
        let back = await server.waitForLogLine(timeout: 45) { $0.contains("reconnected to the X server \(display)") }
        #expect(back != nil, "no reconnect line:\n\(server.log)")

        var matched = false
        var last = ""
        let deadline = Date().addingTimeInterval(15)
        while !matched && Date() < deadline {
            let xwd = scratch.uniqueFile("screen", extension: "xwd")
            try await ProcessRunner.check(try requirePeer("xwd"), ["-root", "-silent", "-display", display, "-out", xwd.path], in: scratch)
            let screen = try await ImageFiles.readXWD(xwd, scratch: scratch)
            let viewer = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
            let comparison = ImageComparison(expected: screen, actual: viewer)
            matched = comparison.isIdentical
            last = comparison.description
            if !matched { try await Task.sleep(for: .milliseconds(300)) }
        }
        #expect(matched, "after reconnecting: \(last)\nserver log:\n\(server.log)")
    }

    private static func waitForDisplay(_ display: String, scratch: ScratchDirectory) async throws {
        let deadline = Date().addingTimeInterval(45)
        while Date() < deadline {
            let result = try await ProcessRunner.run(try requirePeer("xwd"), ["-root", "-silent", "-display", display, "-out", "/dev/null"],
                                                     in: scratch, timeout: 10)
            if result.succeeded { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("display \(display) does not accept clients")
    }
}
