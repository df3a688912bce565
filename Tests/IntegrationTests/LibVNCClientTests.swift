import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// libvncclient (C, written by others) reads `porthole serve --image` in each classic encoding and
/// in 32 bpp, 16 bpp RGB565 and 8 bpp BGR233. Its framebuffer must hold the served picture reduced
/// to the format, pixel for pixel, and the server must say it answered in the encoding asked for.
/// ZRLE at 16 and 8 bpp is the case only this client covers (its CPIXELs are 2 and 1 bytes).
@Suite struct LibVNCClientTests {
    static let cases: [(String, LibVNCClient.Format)] = ["raw", "rre", "hextile", "zrle"].flatMap { encoding in
        LibVNCClient.Format.allCases.map { (encoding, $0) }
    }

    @Test(arguments: cases)
    func captureEqualsServedImage(encoding: String, format: LibVNCClient.Format) async throws {
        try await check(Fixtures.desktop(), encoding: encoding, format: format)
    }

    /// Incompressible tiles (which ZRLE stores at zlib level 0 beside deflated ones, and sends as
    /// raw or packed-palette tiles) decode exactly at the narrow formats too.
    @Test(arguments: [LibVNCClient.Format.rgb565, .bgr233])
    func zrleWithNoiseEqualsServedImage(format: LibVNCClient.Format) async throws {
        var picture = Fixtures.desktop()
        picture.blit(TestImages.random(width: 192, height: 128, seed: 7), at: Point(x: 61, y: 37))
        try await check(picture, encoding: "zrle", format: format)
    }

    private func check(_ picture: PixelBuffer, encoding: String, format: LibVNCClient.Format) async throws {
        let scratch = try ScratchDirectory("libvncclient-\(encoding)-\(format.rawValue)")
        let served = try await PixelBufferFile.png(picture, scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
        defer { server.stop() }

        let captured: PixelBuffer
        do {
            captured = try await LibVNCClient.captureImage(port: server.port, encoding: encoding, format: format, scratch: scratch)
        } catch {
            throw HarnessError("\(error)\nserver log:\n\(server.log)")
        }

        let pixelFormat = format.pixelFormat
        let comparison = ImageComparison(expected: TestImages.quantized(served.image, to: pixelFormat), actual: captured, in: pixelFormat)
        #expect(comparison.isIdentical, "libvncclient \(encoding)/\(format.rawValue): \(comparison)\nserver log:\n\(server.log)")
        let formatLine = "set pixel format \(pixelFormat.bitsPerPixel)bpp"
        #expect(format == .xrgb8888 || server.log.contains(formatLine), "no `\(formatLine)` in the server log:\n\(server.log)")
        let serverName = ["raw": "Raw", "rre": "RRE", "hextile": "Hextile", "zrle": "ZRLE"][encoding] ?? encoding
        #expect(server.log.contains("using \(serverName)"), "the server should have answered in \(serverName):\n\(server.log)")
    }
}
