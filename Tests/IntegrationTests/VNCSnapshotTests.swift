import Foundation
import Pixels
import Testing

/// vncsnapshot (TightVNC based, written by others) reads `porthole serve --image` with Hextile.
/// It only writes JPEG, so exact equality is impossible: the check is PSNR against the served
/// picture. 40 dB is far above what a misdecoded tile or a shifted row would give (those fall to
/// 10–20 dB) and below what quality-100 JPEG of this picture reaches.
@Suite struct VNCSnapshotTests {
    @Test func snapshotMatchesServedImageByPSNR() async throws {
        let scratch = try ScratchDirectory("vncsnapshot")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        let captured = try await VNCSnapshot.capture(port: server.port, scratch: scratch)

        try #require(captured.size == served.image.size, "vncsnapshot wrote \(captured.width)x\(captured.height)")
        let psnr = ImageComparison.psnr(served.image, captured)
        #expect(psnr >= 40, "PSNR \(psnr) dB < 40 dB\nserver log:\n\(server.log)")
    }
}
