import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// Real viewers decode updates that Porthole encoded in lanes on several cores (docs/architecture.md,
/// "Encoding on all cores"): a desktop of 1024x640 pixels, 2.5 times
/// `UpdateParallelism.defaultMinimumPixels`, so on a machine with two or more cores its full
/// updates are split (ZRLE's one zlib stream in pigz fashion, Tight's lanes on streams of their own).
/// The other real-viewer tests serve 320x200 pictures, which stay on one core.
@Suite struct ParallelEncodingPeerTests {
    static func picture() -> PixelBuffer {
        var picture = TestImages.desktop(width: 1024, height: 640)
        picture.blit(TestImages.photographic(width: 400, height: 300), at: Point(x: 560, y: 300))
        picture.blit(TestImages.random(width: 200, height: 150, seed: 9), at: Point(x: 40, y: 420))
        return picture
    }

    @Test(arguments: ["ZRLE", "Tight"])
    func tigerVNCShowsALargeDesktopExactly(encoding: String) async throws {
        let run = try await TigerVNCModernEncodingTests.ViewerRun(label: "parallel-\(encoding)", image: Self.picture(), encoding: encoding,
                                                                 viewerArguments: ["-NoJPEG=1"])
        let comparison = try await TigerVNCViewer.waitUntilShowing(run.served.image, in: .xrgb8888, on: run.screen, viewer: run.viewer)
        #expect(comparison.isIdentical, "vncviewer \(encoding) on a 1024x640 desktop: \(comparison)\n\(run.logs)")
        try run.expectEncodingLogged(encoding)
    }

    @Test func vncdotoolReadsALargeZRLEDesktopExactly() async throws {
        let scratch = try ScratchDirectory("vncdotool-parallel-zrle")
        let served = try await PixelBufferFile.png(Self.picture(), scratch: scratch)
        let server = try await PortholeServer(serving: served, scratch: scratch)
        defer { server.stop() }
        let captured = try await VNCDoTool.captureImage(port: server.port, encoding: .zrle, format: .bgrx, scratch: scratch)
        let comparison = ImageComparison(expected: TestImages.quantized(served.image, to: VNCDoTool.Format.bgrx.pixelFormat),
                                         actual: captured, in: VNCDoTool.Format.bgrx.pixelFormat)
        #expect(comparison.isIdentical, "vncdotool ZRLE on a 1024x640 desktop: \(comparison)\nserver log:\n\(server.log)")
    }
}
