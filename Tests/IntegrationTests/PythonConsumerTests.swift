import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// docs/examples/python_consumer.py, the example third-party consumer, is written from
/// docs/protocol.md alone. Against `porthole serve --device` with the Python producer showing a
/// picture, it must receive that picture through the memfd scanout buffers, pixel for pixel.
@Suite struct PythonConsumerTests {
    /// The example lives in docs/, where readers find it; the test runs that very file.
    static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/examples/python_consumer.py")

    @Test func exampleConsumerReceivesTheProducersPicture() async throws {
        let scratch = try ScratchDirectory("python-consumer")
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--socket", socket], scratch: scratch)
        defer { server.stop() }
        let picture = Fixtures.desktop()
        let producer = try await PythonProducer(socket: socket, showing: picture, scratch: scratch)
        defer { producer.stop() }

        let ppm = scratch.file("consumed.ppm")
        let result = try await ProcessRunner.run(try requirePeer("python3"),
                                                 [Self.example.path, "--socket", socket, "--frames", "1", "--ppm", ppm.path],
                                                 in: scratch, timeout: 60)
        try #require(result.succeeded, "the example consumer failed: \(result.output)\nserver log:\n\(server.log)")
        #expect(result.output.contains("frame "), "\(result.output)")
        #expect(result.output.contains("\(picture.width)x\(picture.height)"), "\(result.output)")
        let comparison = ImageComparison(expected: picture, actual: try PortablePixmap.read(ppm))
        #expect(comparison.isIdentical, "\(comparison)\nconsumer:\n\(result.output)\nproducer:\n\(producer.log)")
    }
}
