import Foundation

/// xdotool on a virtual display: finding a client's window, focusing it, and resizing it. No
/// window manager runs on these displays, so what xdotool asks for is what happens.
enum XDoTool {
    /// The first visible window of `client` on `screen`, found by its _NET_WM_PID, waiting up to
    /// `timeout` seconds for it; fails at once, with the client's log, when the client has exited.
    static func window(of client: ChildProcess, on screen: VirtualX, timeout: Double = 45, scratch: ScratchDirectory) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last: ProcessResult?
        while Date() < deadline {
            guard client.isRunning else {
                throw HarnessError("`\(client.command)` exited before xdotool found its window; its log:\n\(client.output)")
            }
            let result = try await run(["search", "--onlyvisible", "--pid", "\(client.processIdentifier)"], on: screen, scratch: scratch)
            if result.succeeded, let id = result.output.split(separator: "\n").first(where: { !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                return String(id)
            }
            last = result
            try await Task.sleep(for: .milliseconds(250))
        }
        throw HarnessError("no visible window of `\(client.command)` on \(screen.display) within \(timeout) s: " +
                           "\(last?.summary ?? "")\nits log:\n\(client.output)")
    }

    /// Gives `window` the input focus (XSetInputFocus) and waits until X reports it focused.
    static func focus(_ window: String, on screen: VirtualX, scratch: ScratchDirectory) async throws {
        let result = try await run(["windowfocus", "--sync", window], on: screen, scratch: scratch)
        guard result.succeeded else { throw HarnessError("xdotool could not focus window \(window): \(result.summary)") }
    }

    /// Resizes `window` to `width`x`height` and waits until X has done it.
    static func resize(_ window: String, width: Int, height: Int, on screen: VirtualX, scratch: ScratchDirectory) async throws {
        let result = try await run(["windowsize", "--sync", window, "\(width)", "\(height)"], on: screen, scratch: scratch)
        guard result.succeeded else { throw HarnessError("xdotool could not resize window \(window): \(result.summary)") }
    }

    /// Moves `window` to `x`,`y` and waits until X has done it.
    static func move(_ window: String, x: Int, y: Int, on screen: VirtualX, scratch: ScratchDirectory) async throws {
        let result = try await run(["windowmove", "--sync", window, "\(x)", "\(y)"], on: screen, scratch: scratch)
        guard result.succeeded else { throw HarnessError("xdotool could not move window \(window): \(result.summary)") }
    }

    private static func run(_ arguments: [String], on screen: VirtualX, scratch: ScratchDirectory) async throws -> ProcessResult {
        try await ProcessRunner.run(try requirePeer("xdotool"), arguments, in: scratch, timeout: 20,
                                    environment: ["DISPLAY": screen.display])
    }
}
