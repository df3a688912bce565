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
