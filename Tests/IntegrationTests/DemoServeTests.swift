import Foundation
import Testing

/// `porthole serve` as README.md promises it on its defaults: one output named "demo", 1920x1080,
/// the demo desktop, a hint where to connect, and one log line per viewer connect and disconnect.
/// vncsnapshot (written by others) prints the desktop name it read from ServerInit.
@Suite struct DemoServeTests {
    @Test func defaultServeIsTheDemoOutput() async throws {
        let scratch = try ScratchDirectory("serve-demo")
        let server = try await PortholeServer([], scratch: scratch)
        defer { server.stop() }
        #expect(server.log.contains("serving 1920x1080 \"demo\"; listening on 127.0.0.1:\(server.port)"), "\(server.log)")
        #expect(server.log.contains("connect with: vncviewer 127.0.0.1::\(server.port)"), "\(server.log)")

        let viewerOutput = try await vncsnapshot(port: server.port, scratch: scratch)
        #expect(viewerOutput.contains("Desktop name \"demo\""), "\(viewerOutput)")
        #expect(viewerOutput.contains("1920x1080"), "\(viewerOutput)")
        #expect(await server.waitForLogLine { $0.contains("connected (#1, RFB 3.3") } != nil, "\(server.log)")
        #expect(await server.waitForLogLine { $0.contains("disconnected: the viewer closed the connection") } != nil, "\(server.log)")
    }

    /// Listening beyond this machine without a password is warned about; on loopback, or with a
    /// password, it is not. The warning comes right after the server's `listening on` line and
    /// before the command's `connect with:` hint, so each log is read once the hint is there.
    @Test func anOpenPortOnTheNetworkIsWarnedAbout() async throws {
        let scratch = try ScratchDirectory("serve-open-port")
        let password = try VNCPasswordFiles.plain("s3cret!", scratch: scratch)
        let cases: [(arguments: [String], warned: Bool)] = [
            (["--listen", "0.0.0.0:0"], true),
            ([], false),
            (["--listen", "0.0.0.0:0", "--password-file", password.path], false),
        ]
        for (arguments, warned) in cases {
            let server = try await PortholeServer(["--size", "64x64"] + arguments, scratch: scratch)
            defer { server.stop() }
            #expect(await server.waitForLogLine { $0.contains("connect with:") } != nil, "\(server.log)")
            let warning = "listening on 0.0.0.0:\(server.port) without a password: anyone who can reach it can see and control this output; give --password-file"
            #expect(server.log.contains(warning) == warned, "\(arguments): \(server.log)")
            #expect(server.log.contains("without a password") == warned, "\(arguments): \(server.log)")
        }
    }

    @Test func nameOptionNamesTheDesktop() async throws {
        let scratch = try ScratchDirectory("serve-demo-name")
        let server = try await PortholeServer(["--size", "320x200", "--name", "Lab screen"], scratch: scratch)
        defer { server.stop() }
        let viewerOutput = try await vncsnapshot(port: server.port, scratch: scratch)
        #expect(viewerOutput.contains("Desktop name \"Lab screen\""), "\(viewerOutput)")
    }

    /// The address `porthole serve` listens on when not told (README.md: 127.0.0.1:5900).
    @Test func defaultListenAddressIsLoopbackPort5900() async throws {
        let scratch = try ScratchDirectory("serve-help")
        let help = try await ProcessRunner.check(try PortholeServer.binary(), ["serve", "--help"], in: scratch)
        #expect(help.contains("(default: 127.0.0.1:5900)"), "\(help)")
    }

    /// Runs vncsnapshot (not quiet, so it reports the desktop name) and returns what it printed.
    private func vncsnapshot(port: Int, scratch: ScratchDirectory) async throws -> String {
        let jpeg = scratch.uniqueFile("vncsnapshot", extension: "jpg")
        return try await ProcessRunner.check(try requirePeer("vncsnapshot"),
                                             ["-encodings", "hextile raw", "127.0.0.1::\(port)", jpeg.path], in: scratch, timeout: 60)
    }
}
