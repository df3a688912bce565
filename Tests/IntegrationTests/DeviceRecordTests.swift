import Foundation
import Pixels
import Testing

/// `porthole record` against `porthole serve --device` fed by `porthole produce`: the recorder
/// is a consumer of the display device (docs/protocol.md §6), and its PNG files are what the
/// animated pattern showed, frame after frame.
@Suite struct DeviceRecordTests {
    @Test func recordsFiveDistinctFramesOfTheAnimatedPattern() async throws {
        let run = try await DeviceWithProducer.start("device-record", produce: ["--size", "160x120", "--refresh", "30", "--name", "Pattern-7"])
        defer { run.stop() }
        let (scratch, socket, producer) = (run.scratch, run.socket, run.producer)

        let frames = scratch.file("frames")
        let record = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["record", "Pattern-7", frames.path, "--frames", "5", "--socket", socket],
                                                 in: scratch, timeout: 30)
        try #require(record.succeeded, "\(record.summary)\nproducer log:\n\(producer.output)")

        var pictures: [PixelBuffer] = []
        for index in 1...5 {
            let file = frames.appendingPathComponent(String(format: "frame-%06d.png", index))
            pictures.append(try await ImageFiles.readPNG(file, scratch: scratch))
        }
        #expect(pictures.allSatisfy { $0.width == 160 && $0.height == 120 })
        for index in 1..<pictures.count {
            #expect(pictures[index] != pictures[index - 1], "frames \(index) and \(index + 1) are identical")
        }
        #expect(pictures.contains { picture in picture.pixels.contains { $0 != picture.pixels[0] } }, "every frame is one flat colour")
    }

    /// `porthole produce --copy`: one framebuffer on the copy path (docs/protocol.md §11), drawn
    /// again as soon as each Release arrives; the recorder still sees distinct, whole frames.
    @Test func theCopyPathProducerIsRecordedLikeAnyOther() async throws {
        let run = try await DeviceWithProducer.start("device-record-copy", produce: ["--size", "128x96", "--copy", "--name", "Copy-1"])
        defer { run.stop() }
        let (scratch, socket, producer) = (run.scratch, run.socket, run.producer)
        #expect(producer.output.contains("copy path"))

        let frames = scratch.file("frames")
        let record = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["record", "Copy-1", frames.path, "--frames", "3", "--socket", socket],
                                                 in: scratch, timeout: 30)
        try #require(record.succeeded, "\(record.summary)\nproducer log:\n\(producer.output)")
        var pictures: [PixelBuffer] = []
        for index in 1...3 {
            pictures.append(try await ImageFiles.readPNG(frames.appendingPathComponent(String(format: "frame-%06d.png", index)), scratch: scratch))
        }
        #expect(pictures.allSatisfy { $0.width == 128 && $0.height == 96 })
        #expect(pictures[1] != pictures[0] && pictures[2] != pictures[1], "the copy-path pattern did not move")
        #expect(pictures.allSatisfy { picture in picture.pixels.contains { $0 != picture.pixels[0] } }, "a frame is one flat colour")
    }

    @Test func rawRecordingIsWidthTimesHeightTimesFourBytesPerFrame() async throws {
        let run = try await DeviceWithProducer.start("device-record-raw", produce: ["--size", "96x64"])
        defer { run.stop() }
        let (scratch, socket, producer) = (run.scratch, run.socket, run.producer)

        // By id this time; stdout alone goes to the file (the log lines go to stderr).
        let raw = scratch.file("frames.xr24")
        let command = "'\(try PortholeServer.binary())' record 1 --raw --frames 3 --socket '\(socket)' > '\(raw.path)'"
        let record = try await ProcessRunner.run("/bin/sh", ["-c", command], in: scratch, timeout: 30)
        try #require(record.succeeded, "\(record.summary)\nproducer log:\n\(producer.output)")
        let bytes = try [UInt8](Data(contentsOf: raw))
        let frameBytes = 96 * 64 * 4
        #expect(bytes.count == 3 * frameBytes)
        guard bytes.count == 3 * frameBytes else { return }
        #expect(bytes[0..<frameBytes] != bytes[frameBytes..<(2 * frameBytes)], "frames 1 and 2 are identical")
        // XR24 with the X byte cleared: every fourth byte is 0.
        #expect(stride(from: 3, to: bytes.count, by: 4).allSatisfy { bytes[$0] == 0 })
    }

    /// A full disk under `--raw` ends the recording with the reason, not a crash (Foundation's
    /// `FileHandle.write(_:)` trapped on it before).
    @Test func rawRecordingToAFullDiskSaysSoAndExits() async throws {
        let run = try await DeviceWithProducer.start("device-record-full", produce: ["--size", "96x64"])
        defer { run.stop() }
        let (scratch, socket, server) = (run.scratch, run.socket, run.server)

        let command = "'\(try PortholeServer.binary())' record 1 --raw --frames 3 --socket '\(socket)' > /dev/full"
        let record = try await ProcessRunner.run("/bin/sh", ["-c", command], in: scratch, timeout: 30)
        #expect(record.exitStatus == 1 && !record.timedOut, "\(record.summary)")
        #expect(record.output.contains("Error: stdout: cannot write: No space left on device"), "\(record.summary)")
        #expect(!record.output.contains("Fatal error") && !record.output.contains("crashed"), "\(record.summary)")
        #expect(server.isRunning)
    }
}

/// `porthole serve --device` with `porthole produce` on its socket, started and showing frames.
private struct DeviceWithProducer {
    let scratch: ScratchDirectory
    let socket: String
    let server: PortholeServer
    let producer: ChildProcess

    static func start(_ name: String, produce arguments: [String]) async throws -> DeviceWithProducer {
        let scratch = try ScratchDirectory(name)
        let socket = scratch.file("device.sock").path
        let server = try await PortholeServer(["--device", "--socket", socket], scratch: scratch)
        let producer = try ChildProcess(try PortholeServer.binary(), ["produce", "--socket", socket] + arguments,
                                        logFile: scratch.uniqueFile("porthole-produce", extension: "log"))
        let started = await producer.waitForOutput(timeout: 60) { $0.contains("porthole produce: output") ? true : nil }
        guard started == true else {
            producer.stop()
            server.stop()
            throw HarnessError("porthole produce did not start; log:\n\(producer.output)")
        }
        return DeviceWithProducer(scratch: scratch, socket: socket, server: server, producer: producer)
    }

    func stop() {
        producer.stop()
        server.stop()
    }
}
