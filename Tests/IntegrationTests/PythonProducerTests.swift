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

    /// `--max-pixels-per-producer` is the budget the server applies: the producer's 320x200
    /// output (64 000 pixels, shared memory, so its mode is all it holds) fits a budget of exactly
    /// that and is refused with error 7 (docs/protocol.md §8) by one pixel less.
    @Test(arguments: [64_000, 63_999])
    func thePixelBudgetFromTheCommandLineIsApplied(budget: Int) async throws {
        let scratch = try ScratchDirectory("python-producer-budget-\(budget)")
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--socket", socket, "--max-pixels-per-producer", "\(budget)"], scratch: scratch)
        defer { server.stop() }
        let picture = Fixtures.desktop()
        #expect(picture.width * picture.height == 64_000)
        do {
            let producer = try await PythonProducer(socket: socket, showing: picture, scratch: scratch, timeout: 30)
            defer { producer.stop() }
            #expect(budget >= 64_000, "a 64 000-pixel output was accepted under a budget of \(budget)")
        } catch {
            #expect(budget < 64_000, "refused under a budget of \(budget): \(error)")
            #expect("\(error)".contains("refused: code 7") && "\(error)".contains("at most 63999"), "\(error)")
        }
        #expect(server.isRunning)
    }
}
