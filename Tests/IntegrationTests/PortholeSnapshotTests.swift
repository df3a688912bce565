import Foundation
import Pixels
import Testing

/// `porthole snapshot` as a client, against Porthole's own server: every encoding is lossless, so
/// the PNG must equal the served picture exactly.
@Suite struct PortholeSnapshotTests {
    @Test(arguments: ["raw", "rre", "hextile", "zrle"])
    func snapshotOfPortholeEqualsServedImage(encoding: String) async throws {
        let scratch = try ScratchDirectory("snapshot-porthole-\(encoding)")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        let captured = try await PortholeSnapshot.captureImage(port: server.port, encoding: encoding, scratch: scratch)

        let comparison = ImageComparison(expected: served.image, actual: captured)
        #expect(comparison.isIdentical, "\(encoding): \(comparison)\nserver log:\n\(server.log)")
    }

    /// Named .jpg, the snapshot is a JPEG (as vncsnapshot writes), read back here by libjpeg's djpeg;
    /// a name without a known extension is refused before connecting, and nothing is written.
    @Test func aJPEGNameGetsAJPEGAndAnUnknownOneIsRefused() async throws {
        let scratch = try ScratchDirectory("snapshot-porthole-jpeg")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        let jpeg = scratch.uniqueFile("porthole-snapshot", extension: "jpg")
        let result = try await PortholeSnapshot.run(port: server.port, encoding: "zrle", to: jpeg, scratch: scratch)
        try #require(result.succeeded, "\(result.summary)")
        let header = try Data(contentsOf: jpeg).prefix(3)
        #expect(Array(header) == [0xff, 0xd8, 0xff], "not JPEG data: \(Array(header))")
        let captured = try await ImageFiles.readJPEG(jpeg, scratch: scratch)
        try #require(captured.size == served.image.size)
        let psnr = ImageComparison.psnr(served.image, captured)
        #expect(psnr >= 35, "PSNR \(psnr) dB at the default quality")

        let unknown = scratch.uniqueFile("porthole-snapshot", extension: "bmp")
        let refused = try await PortholeSnapshot.run(port: server.port, encoding: "zrle", to: unknown, scratch: scratch)
        #expect(!refused.succeeded && refused.output.contains("end it in .png, .jpg or .jpeg"), "\(refused.summary)")
        #expect(!FileManager.default.fileExists(atPath: unknown.path))
    }

    @Test func snapshotWithPasswordFile() async throws {
        let scratch = try ScratchDirectory("snapshot-porthole-password")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let passwordFile = try VNCPasswordFiles.plain("open sesame", scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--password-file", passwordFile.path], scratch: scratch)
        defer { server.stop() }

        let captured = try await PortholeSnapshot.captureImage(port: server.port, encoding: "zrle", passwordFile: passwordFile, scratch: scratch)

        let comparison = ImageComparison(expected: served.image, actual: captured)
        #expect(comparison.isIdentical, "\(comparison)")
    }
}
