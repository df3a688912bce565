import Foundation
import Pixels

/// An X server of a given size and depth for one test: Xvfb for viewers to draw into, or Xvnc (a
/// VNC server nobody here wrote) to be read by `porthole snapshot`. The display number comes from
/// `-displayfd`, so parallel tests never race for one.
final class VirtualX {
    let display: String
    let width: Int
    let height: Int
    private let server: ChildProcess
    private var clients: [ChildProcess] = []
    let scratch: ScratchDirectory

    /// Xvfb with one screen of `width`x`height` at `depth` bits; `extra` arguments are appended
    /// (`-extension NAME` turns an extension off).
    static func xvfb(width: Int, height: Int, depth: Int = 24, extra: [String] = [], scratch: ScratchDirectory) async throws -> VirtualX {
        try await VirtualX(try requirePeer("Xvfb"),
                           ["-displayfd", "1", "-noreset", "-screen", "0", "\(width)x\(height)x\(depth)", "-nolisten", "tcp"] + extra,
                           width: width, height: height, scratch: scratch)
    }

    /// TigerVNC's Xvnc serving RFB on 127.0.0.1:`rfbPort`, without authentication or, given an
    /// obfuscated password file (`vncpasswd -f`), with VNC Authentication.
    static func xvnc(width: Int, height: Int, rfbPort: Int, obfuscatedPasswordFile: URL? = nil,
                     scratch: ScratchDirectory) async throws -> VirtualX {
        let security = obfuscatedPasswordFile.map { ["-SecurityTypes", "VncAuth", "-PasswordFile", $0.path] }
            ?? ["-SecurityTypes", "None"]
        return try await VirtualX(try requirePeer("Xvnc"),
                                  ["-displayfd", "1", "-noreset", "-geometry", "\(width)x\(height)", "-depth", "24", "-localhost", "yes",
                                   "-rfbport", "\(rfbPort)", "-nolisten", "tcp"] + security,
                                  width: width, height: height, scratch: scratch)
    }

    /// Starts the server, and starts a fresh one (at most three in all) when one never accepts
    /// clients. On a loaded two-core CI machine an Xvnc once reported its display and then let
    /// `xwd` time out twice; a new server is a new chance, while every failed start stays in the
    /// error with its log.
    private init(_ executable: String, _ arguments: [String], width: Int, height: Int, scratch: ScratchDirectory) async throws {
        self.width = width; self.height = height; self.scratch = scratch
        var failures: [String] = []
        for _ in 0..<3 {
            switch try await Self.start(executable, arguments, scratch: scratch) {
            case .ready(let process, let number):
                server = process
                display = ":\(number)"
                return
            case .failed(let reason):
                failures.append(reason)
            }
        }
        throw HarnessError(failures.joined(separator: "\n---\n"))
    }

    private enum Start {
        case ready(ChildProcess, Int)
        case failed(String)
    }

    private static func start(_ executable: String, _ arguments: [String], scratch: ScratchDirectory) async throws -> Start {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let server = try ChildProcess(executable, arguments, logFile: scratch.uniqueFile(name, extension: "log"))
        // -displayfd writes the display number on a line of its own once the server is ready.
        let number = await server.waitForOutput(timeout: 45) { text in
            text.split(separator: "\n").first { !$0.isEmpty && $0.allSatisfy(\.isNumber) }.flatMap { Int($0) }
        }
        guard let number else {
            let log = server.output
            server.stop()
            return .failed("`\(server.command)` reported no display number within 45 s; log:\n\(log)")
        }
        if let refusal = try await waitUntilAcceptingClients(server, display: ":\(number)", scratch: scratch) {
            let log = server.output
            server.stop()
            return .failed("display :\(number) of `\(server.command)` does not accept clients: \(refusal)\nserver log:\n\(log)")
        }
        return .ready(server, number)
    }

    /// Proves the display usable before any test client needs it: `xwd` (from x11-apps, which the
    /// tests need anyway) must connect and read the root window. (With
    /// `-noreset` a client that comes and goes cannot make the server reset under the next one.)
    /// Returns why it is not usable, or nil once it is.
    private static func waitUntilAcceptingClients(_ server: ChildProcess, display: String, scratch: ScratchDirectory) async throws -> String? {
        let deadline = Date().addingTimeInterval(20)
        var last: ProcessResult?
        while Date() < deadline {
            let result = try await ProcessRunner.run(try requirePeer("xwd"), ["-root", "-silent", "-display", display, "-out", "/dev/null"], in: scratch, timeout: 10)
            if result.succeeded { return nil }
            last = result
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return last?.summary ?? "the server exited"
    }

    deinit {
        for client in clients { client.stop(grace: 1) }
        server.stop()
    }

    var isRunning: Bool { server.isRunning }
    var log: String { server.output }

    /// Starts an X client on this display; it is stopped with the display.
    @discardableResult
    func launch(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let client = try ChildProcess(executable, arguments, logFile: scratch.uniqueFile(name, extension: "log"),
                                      environment: ["DISPLAY": display])
        clients.append(client)
        return client
    }

    /// Shows `image` at the top-left corner in a borderless xwud window (no window manager runs, so
    /// it lands exactly where asked) and waits until the screen shows it.
    func show(_ image: PixelBuffer) async throws {
        let xwd = scratch.uniqueFile("picture", extension: "xwd")
        try await ImageFiles.writeXWD(image, to: xwd, scratch: scratch)
        try launch(try requirePeer("xwud"), ["-noclick", "-geometry", "+0+0", "-in", xwd.path, "-display", display])
        let shown = try await waitForScreen(timeout: 30) { screen in
            ImageComparison(expected: image, actual: screen.cropped(to: image.bounds)).isIdentical
        }
        guard shown.matched else {
            throw HarnessError("xwud did not show the picture on \(display) within 30 s: " +
                               "\(ImageComparison(expected: image, actual: shown.screen.cropped(to: image.bounds)))")
        }
    }

    /// The whole root window, as `xwd -root` sees it.
    func grabScreen() async throws -> PixelBuffer {
        let xwd = scratch.uniqueFile("screen", extension: "xwd")
        try await ProcessRunner.check(try requirePeer("xwd"), ["-root", "-silent", "-display", display, "-out", xwd.path], in: scratch)
        return try await ImageFiles.readXWD(xwd, scratch: scratch)
    }

    /// The first top-level window, as `xwd -id` sees it: its pixels read through its own colormap,
    /// which on a PseudoColor display may be a client's private one (`xwd -root` would read them
    /// through the default map). Nil while there is no top-level window.
    func grabTopWindow() async throws -> PixelBuffer? {
        let tree = try await ProcessRunner.run(try requirePeer("xwininfo"), ["-root", "-children", "-display", display], in: scratch)
        // "     0x200013 (has no name): ()  1024x768+0+0  +0+0" under "1 child:".
        guard let line = tree.output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("0x") }),
              let id = line.split(separator: " ").first else { return nil }
        let xwd = scratch.uniqueFile("window", extension: "xwd")
        try await ProcessRunner.check(try requirePeer("xwd"), ["-id", String(id), "-silent", "-display", display, "-out", xwd.path], in: scratch)
        return try await ImageFiles.readXWD(xwd, scratch: scratch)
    }

    /// Grabs the screen until `accept` likes it or `timeout` passes (viewers draw asynchronously,
    /// so one grab right after connecting can catch a half-drawn screen). Returns the last grab.
    func waitForScreen(timeout: Double, _ accept: (PixelBuffer) -> Bool) async throws -> (matched: Bool, screen: PixelBuffer) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try await grabScreen()
        while !accept(screen) {
            guard Date() < deadline else { return (false, screen) }
            try await Task.sleep(for: .milliseconds(250))
            screen = try await grabScreen()
        }
        return (true, screen)
    }
}
