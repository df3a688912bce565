import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// `porthole serve --device --output-ports` with two producers (the Python producer written from
/// docs/protocol.md): each output gets its own port, logged as `output NAME on HOST:PORT` with the
/// noVNC URL for that port (`--web`), and a snapshot of each port is exactly that output's picture.
@Suite struct OutputPortsTests {
    @Test func eachOutputIsServedOnItsOwnPort() async throws {
        let scratch = try ScratchDirectory("output-ports")
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--output-ports", "--socket", socket, "--web", "127.0.0.1:0"], scratch: scratch)
        defer { server.stop() }
        let left = Fixtures.desktop()
        let right = TestImages.photographic(width: 200, height: 120)
        let first = try await PythonProducer(socket: socket, showing: left, name: "Left", scratch: scratch)
        defer { first.stop() }
        let second = try await PythonProducer(socket: socket, showing: right, name: "Right", scratch: scratch)
        defer { second.stop() }

        let leftLine = await server.waitForLogLine { $0.contains("output Left on ") }
        let rightLine = await server.waitForLogLine { $0.contains("output Right on ") }
        let leftPort = try #require(leftLine.flatMap(Self.port), "no listener line for Left; log:\n\(server.log)")
        let rightPort = try #require(rightLine.flatMap(Self.port), "no listener line for Right; log:\n\(server.log)")
        #expect(leftPort == server.port, "the first output is on the --listen port")
        #expect(rightPort != leftPort)
        for (line, port) in [(leftLine, leftPort), (rightLine, rightPort)] {
            let text = String(line ?? "").trimmingCharacters(in: .whitespaces)
            #expect(text.contains(", web viewer at http://127.0.0.1:")
                    && text.hasSuffix("/vnc.html?autoconnect=true&host=127.0.0.1&port=\(port)&path="), "\(text)")
        }

        for (port, picture, name) in [(leftPort, left, "Left"), (rightPort, right, "Right")] {
            let captured = try await PortholeSnapshot.captureImage(port: port, encoding: "zrle", scratch: scratch)
            let comparison = ImageComparison(expected: picture, actual: captured)
            #expect(comparison.isIdentical, "\(name) on port \(port): \(comparison)\nserver log:\n\(server.log)")
        }
    }

    private static func port(_ line: Substring) -> Int? {
        line.firstMatch(of: /output \w+ on [^\s]*:(\d+)/).flatMap { Int($0.1) }
    }
}
