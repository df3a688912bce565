import Capture
import Foundation
import Geometry
import Pixels

/// A headless Chromium that a test drives over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: Chromium reads commands from its fd 3 and writes replies and events
/// to its fd 4, each a JSON message ended by a NUL byte), so it can take screenshots in real time,
/// as often as it likes, until the picture it waits for is there.
///
/// Why not `chromium --screenshot --virtual-time-budget=…`: virtual time does not wait for
/// WebSocket traffic. On a loaded machine Chromium spent its budget before noVNC had drawn, and
/// took a blank page (8 of 31 shots with two busy loops beside the tests, three in a row once in
/// CI).
final class HeadlessChromium {
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let pid: pid_t
    /// Our end of the pipe Chromium reads commands from.
    private let commands: Int32
    /// Our end of the pipe Chromium writes replies to; non-blocking.
    private let replies: Int32
    private var unread: [UInt8] = []
    private var nextID = 1
    /// The page's session, once `open` attached to it; commands without one go to the browser.
    private var session: String?
    private var exited = false
    /// Chromium's standard output and error.
    let logPath: String

    /// Starts Chromium with a blank browser; `open` loads a page.
    init(executable: String, logPath: String) throws {
        self.logPath = logPath
        var toChromium: [Int32] = [0, 0], fromChromium: [Int32] = [0, 0]
        guard pipe(&toChromium) == 0, pipe(&fromChromium) == 0 else {
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Every end moves to a close-on-exec descriptor above 100 at once (Glibc's pipe2 is not
        // visible to Swift): other tests start processes in parallel, which must not inherit
        // them, and the child's two moves to 3 and 4 cannot then overwrite each other's source.
        let ends = (toChromium + fromChromium).map { descriptor -> Int32 in
            defer { close(descriptor) }
            return fcntl(descriptor, F_DUPFD_CLOEXEC, 100)
        }
        let childIn = ends[0], childOut = ends[3]
        commands = ends[1]
        replies = ends[2]
        _ = fcntl(replies, F_SETFL, fcntl(replies, F_GETFL) | O_NONBLOCK)
        defer { close(childIn); close(childOut) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)

        let arguments = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                         "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=\(logPath).profile", "about:blank"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard status == 0 else {
            close(commands)
            close(replies)
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit { stop() }

    /// Opens `url` in a new page of `window`'s size (CSS pixels at scale 1, so a screenshot has
    /// exactly that many pixels) and attaches to it.
    func open(_ url: String, window: Size) async throws {
        let target = try await call("Target.createTarget", ["url": url, "newWindow": true, "width": window.width, "height": window.height])
        guard let targetID = target["targetId"] as? String else { throw Failure(description: "Target.createTarget gave no targetId: \(target)") }
        let attached = try await call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "Target.attachToTarget gave no sessionId: \(attached)") }
        self.session = session
        _ = try await call("Emulation.setDeviceMetricsOverride",
                           ["width": window.width, "height": window.height, "deviceScaleFactor": 1, "mobile": false])
    }

    /// The page as it is now.
    func screenshot() async throws -> PixelBuffer {
        let result = try await call("Page.captureScreenshot", ["format": "png"])
        guard let text = result["data"] as? String, let png = Data(base64Encoded: text) else {
            throw Failure(description: "Page.captureScreenshot gave no picture")
        }
        return try PNGImage.decode(Array(png))
    }

    /// Takes screenshots until one satisfies `accept` or `timeout` seconds have passed, and
    /// returns the last one taken (the one accepted, or the last seen, for the failure message).
    func screenshot(within timeout: Double, until accept: (PixelBuffer) -> Bool) async throws -> PixelBuffer {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                let shot = try await screenshot()
                if accept(shot) || Date() >= deadline { return shot }
            } catch let failure as Failure where failure.description.contains("Not attached to an active page") && Date() < deadline {
                // The page is between two documents (noVNC's page replacing the first one).
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    /// The value of a JavaScript expression in the page (JSON-serialisable values only).
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Asks Chromium to close, and kills it if it has not exited within five seconds. Its log and
    /// profile go with it: failure messages quote `log` before the test stops the browser.
    func stop() {
        guard !exited else { return }
        exited = true
        var message = (try? JSONSerialization.data(withJSONObject: ["id": 0, "method": "Browser.close"])) ?? Data()
        message.append(0)
        message.withUnsafeBytes { _ = write(commands, $0.baseAddress, $0.count) }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() >= deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        close(commands)
        close(replies)
        try? FileManager.default.removeItem(atPath: "\(logPath).profile")
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Chromium's output so far, for failure messages.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    // MARK: - The protocol

    /// Sends one command and waits for its reply, skipping events and other replies.
    private func call(_ method: String, _ parameters: [String: Any], timeout: Double = 30) async throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(commands, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else { throw Failure(description: "\(method): Chromium closed its command pipe\n\(log.suffix(2000))") }
                offset += written
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            while let reply = try nextMessage() {
                guard reply["id"] as? Int == id else { continue }
                if let error = reply["error"] { throw Failure(description: "\(method) failed: \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw Failure(description: "\(method): no reply within \(timeout) s\n\(log.suffix(2000))")
    }

    /// The next whole message Chromium has written, if one has arrived.
    private func nextMessage() throws -> [String: Any]? {
        if let end = unread.firstIndex(of: 0) {
            let message = Array(unread[..<end])
            unread.removeSubrange(...end)
            return try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] ?? [:]
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(replies, &chunk, chunk.count)
        if count == 0 { throw Failure(description: "Chromium exited\n\(log.suffix(2000))") }
        guard count > 0 else { return nil }
        unread += chunk[..<count]
        return try nextMessage()
    }
}
