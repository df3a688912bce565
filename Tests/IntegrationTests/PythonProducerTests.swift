import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// A producer written from docs/protocol.md alone (`peers/python_producer.py`, Python standard
/// library only) shows a picture through `porthole serve --device`, and a VNC client nobody here
/// wrote (vncdotool) sees exactly that picture: the spec is enough to write a producer.
@Suite struct PythonProducerTests {
    @Test(arguments: [VNCDoTool.Encoding.hextile, .raw])
    func viewerSeesWhatThePythonProducerDrew(encoding: VNCDoTool.Encoding) async throws {
        let scratch = try ScratchDirectory("python-producer-\(encoding.rawValue)")
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--socket", socket], scratch: scratch)
        defer { server.stop() }
        let picture = Fixtures.desktop()
        let producer = try await PythonProducer(socket: socket, showing: picture, scratch: scratch)
        defer { producer.stop() }

        let captured = try await VNCDoTool.captureImage(port: server.port, encoding: encoding, format: .bgrx, scratch: scratch)

        let comparison = ImageComparison(expected: picture, actual: captured)
        #expect(comparison.isIdentical, "\(encoding.rawValue): \(comparison)\nproducer log:\n\(producer.log)\nserver log:\n\(server.log)")
        #expect(producer.isRunning, "the producer exited early; log:\n\(producer.log)")
    }
}
