import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// vncdotool (Python, written by others) reads `porthole serve --image` in every encoding it
/// decodes and three pixel formats; the capture must equal the served picture reduced to the
/// format's precision, pixel for pixel.
@Suite struct VNCDoToolTests {
    /// Every combination but ZRLE at 16 bpp: vncdotool's ZRLE decoder always reads 3-byte CPIXELs,
    /// so it cannot decode a correct 16 bpp ZRLE stream (LibVNCClientTests covers ZRLE at 16 bpp instead).
    static let cases: [(VNCDoTool.Encoding, VNCDoTool.Format)] = VNCDoTool.Encoding.allCases.flatMap { encoding in
        VNCDoTool.Format.allCases.compactMap { format in encoding == .zrle && format == .bgr16 ? nil : (encoding, format) }
    }

    @Test(arguments: cases)
    func captureEqualsServedImage(encoding: VNCDoTool.Encoding, format: VNCDoTool.Format) async throws {
        let scratch = try ScratchDirectory("vncdotool-\(encoding.rawValue)-\(format.rawValue)")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        let captured = try await VNCDoTool.captureImage(port: server.port, encoding: encoding, format: format, scratch: scratch)

        let comparison = ImageComparison(expected: TestImages.quantized(served.image, to: format.pixelFormat),
                                         actual: captured, in: format.pixelFormat)
        #expect(comparison.isIdentical, "\(encoding.rawValue)/\(format.rawValue): \(comparison)\nserver log:\n\(server.log)")
    }

    /// ZRLE stores noise tiles at zlib level 0 among deflated ones in one chunk (ZRLEEncoder):
    /// vncdotool's decoder (Python's zlib) reads the mixed stream exactly, at both 32 bpp formats.
    @Test(arguments: [VNCDoTool.Format.bgrx, .rgbx])
    func zrleWithStoredNoiseTilesEqualsServedImage(format: VNCDoTool.Format) async throws {
        let scratch = try ScratchDirectory("vncdotool-zrle-noise-\(format.rawValue)")
        var picture = Fixtures.desktop()
        picture.blit(TestImages.random(width: 192, height: 128, seed: 5), at: Point(x: 64, y: 40))
        let served = try await PixelBufferFile.png(picture, scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        let captured = try await VNCDoTool.captureImage(port: server.port, encoding: .zrle, format: format, scratch: scratch)

        let comparison = ImageComparison(expected: TestImages.quantized(served.image, to: format.pixelFormat),
                                         actual: captured, in: format.pixelFormat)
        #expect(comparison.isIdentical, "zrle/\(format.rawValue) with noise: \(comparison)\nserver log:\n\(server.log)")
    }

    /// The server logs the viewer's arrival and departure, one line each.
    @Test func connectAndDisconnectAreLogged() async throws {
        let scratch = try ScratchDirectory("vncdotool-log")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }

        _ = try await VNCDoTool.captureImage(port: server.port, encoding: .raw, format: .bgrx, scratch: scratch)

        let connected = await server.waitForLogLine { $0.lowercased().contains("connect") && !$0.lowercased().contains("disconnect") }
        let disconnected = await server.waitForLogLine { $0.lowercased().contains("disconnect") }
        #expect(connected != nil, "no viewer-connected line in the server log:\n\(server.log)")
        #expect(disconnected != nil, "no viewer-disconnected line in the server log:\n\(server.log)")
    }
}
