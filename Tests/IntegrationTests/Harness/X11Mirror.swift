import Foundation

/// `porthole serve --x11` mirroring a `VirtualX` display, with the X and VNC clients the mirror
/// tests drive (all from Debian or PyPI, so a missing one fails the test instead of skipping it).
struct X11Mirror {
    let display: VirtualX
    let server: PortholeServer
    let scratch: ScratchDirectory

    /// Xvfb of `width`x`height` at `depth` (`xvfbArguments` appended) and the mirror of it (extra
    /// serve arguments appended).
    static func start(width: Int = 800, height: Int = 600, depth: Int = 24, xvfbArguments: [String] = [], arguments: [String] = [],
                      scratch: ScratchDirectory) async throws -> X11Mirror {
        let display = try await VirtualX.xvfb(width: width, height: height, depth: depth, extra: xvfbArguments, scratch: scratch)
        let server = try await PortholeServer(["--x11", display.display] + arguments, scratch: scratch)
        return X11Mirror(display: display, server: server, scratch: scratch)
    }

    /// Runs an X client on the display to completion and returns its output, failing on error.
    @discardableResult
    func x(_ tool: String, _ arguments: [String], timeout: Double = 60) async throws -> String {
        let result = try await ProcessRunner.run(try requirePeer(tool), arguments, in: scratch, timeout: timeout,
                                                 environment: ["DISPLAY": display.display])
        guard result.succeeded else { throw HarnessError(result.summary) }
        return result.output
    }

    /// vncdotool's command line against the mirror (`type`, `key`, `move`, `click`, ...).
    func vncdotool(_ commands: [String]) async throws {
        let result = try await ProcessRunner.run(try requirePeer("vncdotool"), ["-s", "127.0.0.1::\(server.port)"] + commands,
                                                 in: scratch, timeout: 30)
        guard result.succeeded else { throw HarnessError(result.summary) }
    }

    /// The viewer's picture (`porthole snapshot`, lossless ZRLE) once it equals the X server's own
    /// dump of the root window, or the last pair compared when `timeout` passes first.
    func snapshotMatchingScreen(timeout: Double = 60) async throws -> (matched: Bool, viewer: ImageComparison) {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let screen = try await display.grabScreen()
            let viewer = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", scratch: scratch)
            let comparison = ImageComparison(expected: screen, actual: viewer)
            if comparison.isIdentical { return (true, comparison) }
            if Date() >= deadline { return (false, comparison) }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Waits until `read` returns a value `accept` likes, or `timeout` passes; returns the last value.
    static func poll<T>(timeout: Double = 45, _ read: () async throws -> T, until accept: (T) -> Bool) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        var value = try await read()
        while !accept(value), Date() < deadline {
            try await Task.sleep(for: .milliseconds(250))
            value = try await read()
        }
        return value
    }
}
