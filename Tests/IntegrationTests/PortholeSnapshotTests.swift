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
