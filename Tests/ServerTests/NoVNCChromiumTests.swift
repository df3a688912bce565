import Capture
import Display
import Foundation
import Geometry
import Pixels
import PortholeTestSupport
import Server
import Testing

/// The real browser: noVNC 1.3 (Debian's novnc package) in headless Chromium, loaded from the
/// web viewer URL that `--web` gives, and its screenshots compared with the served picture.
/// Chromium is driven over the DevTools protocol (`HeadlessChromium`), so the test takes shots in
/// real time until the picture is there, or a deadline passes and the last shot is reported.
///
/// The screenshot is the whole window: noVNC draws its page around the canvas (dark background,
/// the control-bar handle at the left edge), so the window is made larger than the picture and
/// noVNC (resize=off) centres its canvas.
///
/// noVNC always sends a QualityLevel (6 by default), so Porthole uses JPEG where the content suits
/// it and sends those areas again losslessly once they have settled (docs/architecture.md "Lossy,
/// then exact once settled"). Flat desktop content (fills and palettes) must appear pixel for
/// pixel without any JPEG; a still photograph goes JPEG first and must then appear pixel for
/// pixel; a photograph that keeps changing must arrive as JPEG within 30 dB PSNR, and exactly once
/// it is still.
///
/// Missing Chromium, noVNC or the porthole binary fail the test: it never skips.
@Suite(.timeLimit(.minutes(4)), .serialized)
struct NoVNCChromiumTests {
    static let window = Size(width: 800, height: 600)
    static let jpegLogLine = "got its first JPEG rectangle"

    @Test func flatContentAppearsPixelForPixel() async throws {
        var image = TestImages.desktop(width: 640, height: 480)
        // Only few-colour content: no gradient strip, no noise icon (those are JPEG material).
        image.fill(Rect(x: 0, y: 456, width: 640, height: 24), with: 0x00202830)
        image.fill(Rect(x: 213, y: 160, width: 32, height: 32), with: 0x00c0a040)
        let (shot, log) = try await Self.showStillInChromium(image)
        #expect(Self.locate(image, in: shot) != nil, """
            the served picture is not in the screenshot (centred region differs in \
            \(Self.mismatches(image, in: shot, at: Self.centredOrigin(of: image))) pixels); server log: \(log.suffix(3000))
            """)
        #expect(log.contains("using Tight"), "noVNC should get Tight: \(log.suffix(2000))")
        #expect(!log.contains(Self.jpegLogLine), "flat content went lossy: \(log.suffix(2000))")
    }

    @Test func stillPhotographGoesJPEGThenAppearsPixelForPixel() async throws {
        let image = TestImages.photographic(width: 320, height: 240)
        let (shot, log) = try await Self.showStillInChromium(image)
        let psnr = Self.psnr(image, in: shot, at: Self.centredOrigin(of: image))
        #expect(Self.locate(image, in: shot) != nil, "no lossless refresh of the photograph (PSNR \(psnr) dB); server log: \(log.suffix(2000))")
        #expect(log.contains("using Tight"), "noVNC should get Tight: \(log.suffix(2000))")
        #expect(log.contains(Self.jpegLogLine), "the photograph should have gone JPEG first: \(log.suffix(2000))")
    }

    /// A photograph that changes with every frame (the low bit of every pixel's blue flips, so
    /// every tile stays hot) reaches noVNC as JPEG: the browser shows a picture that is not exact
    /// and is within 30 dB PSNR of the photograph. Once the changes stop, the lossless refresh
    /// makes the browser's picture exact. The server runs in-process, so the test controls the
    /// frames.
    @Test func changingPhotographArrivesAsJPEGThenExactOnceStill() async throws {
        let photograph = TestImages.photographic(width: 320, height: 240)
        let changing = LockedState(true)
        let bounds = Rect(x: 0, y: 0, width: photograph.width, height: photograph.height)
        let source = ScriptedFrameSource(photograph) { picture, _ in
            guard changing.withLock({ $0 }) else { return FrameDamage() }
            for y in 0..<picture.height {
                for x in 0..<picture.width { picture[x, y] ^= 1 }
            }
            return .full(bounds)
        }
        var configuration = TestServer.configuration()
        configuration.web = HostAndPort(host: "127.0.0.1", port: 0)
        try await TestServer.with(configuration: configuration, source: source) { server in
            let url = try #require(server.server.webViewerURL)
            let browser = try Self.startChromium()
            defer { browser.stop() }
            try await browser.open(url, window: Self.window)
            let origin = Self.centredOrigin(of: photograph)
            var flipped = photograph
            for y in 0..<flipped.height {
                for x in 0..<flipped.width { flipped[x, y] ^= 1 }
            }

            // Lossy: neither of the two frames exactly, in at least a tenth of the pixels.
            let inexact = { (shot: PixelBuffer) -> Bool in
                let limit = photograph.width * photograph.height / 10
                return Self.mismatches(photograph, in: shot, at: origin, stopAfter: limit) >= limit
                    && Self.mismatches(flipped, in: shot, at: origin, stopAfter: limit) >= limit
                    && Self.psnr(photograph, in: shot, at: origin) > 20
            }
            let lossy = try await browser.screenshot(within: 60, until: inexact)
            #expect(!server.log.lines(containing: Self.jpegLogLine).isEmpty,
                    "the server sent no JPEG: \(server.log.lines.suffix(20).joined(separator: "\n"))")
            #expect(inexact(lossy), "the browser never showed a lossy picture (PSNR \(Self.psnr(photograph, in: lossy, at: origin)) dB)")
            let psnr = Self.psnr(photograph, in: lossy, at: origin)
            #expect(psnr >= 30, "the JPEG picture is \(psnr) dB from the photograph")
            print("noVNC showed the changing photograph at \(String(format: "%.1f", psnr)) dB PSNR")

            changing.withLock { $0 = false }
            let still = source.latest
            let exact = try await browser.screenshot(within: 60) { Self.mismatches(still, in: $0, at: origin, stopAfter: 1) == 0 }
            #expect(Self.mismatches(still, in: exact, at: origin) == 0,
                    "no lossless refresh reached the browser (PSNR \(Self.psnr(still, in: exact, at: origin)) dB)")
        }
    }

    static func centredOrigin(of image: PixelBuffer) -> Point {
        Point(x: (window.width - image.width) / 2, y: (window.height - image.height) / 2)
    }

    /// Serves `image` with `porthole serve --image … --web …` as its own process (the binary as a
    /// user runs it, URL line included), opens the printed URL in Chromium and takes screenshots
    /// until `image` appears exactly, or 60 s have passed. Returns the last screenshot and the
    /// server's log.
    static func showStillInChromium(_ image: PixelBuffer) async throws -> (PixelBuffer, String) {
        #expect(FileManager.default.fileExists(atPath: "/usr/share/novnc/vnc.html"),
                "noVNC is not installed (apt-get install novnc)")
        let porthole = try #require(Self.portholeBinary(), "no porthole binary: build it (swift build) or set PORTHOLE_BIN")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porthole-novnc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = directory.appendingPathComponent("fixture.png").path
        try PNGImage.save(image, to: fixture)

        let server = try ChildProcess(porthole, ["serve", "--image", fixture, "--listen", "127.0.0.1:0",
                                                 "--web", "127.0.0.1:0", "--log-level", "debug"])
        defer { server.terminate() }
        let urlLine = try await server.waitForOutputLine(containing: "web viewer at ", timeout: 30)
        let url = try #require(urlLine.components(separatedBy: "web viewer at ").last?.trimmingCharacters(in: .whitespaces))
        #expect(url.contains("autoconnect=true&host=127.0.0.1&port="))

        let browser = try Self.startChromium(in: directory.path)
        defer { browser.stop() }
        try await browser.open(url, window: Self.window)
        let shot = try await browser.screenshot(within: 60) { Self.locate(image, in: $0) != nil }
        #expect(shot.size == Self.window)
        #expect(server.errorOutput.contains("connected (#1, RFB 3.8"), "\(server.errorOutput)")
        return (shot, server.errorOutput)
    }

    static func startChromium(in directory: String = NSTemporaryDirectory()) throws -> HeadlessChromium {
        let chromium = try #require(Self.executable(named: "chromium"),
                                    "chromium is not installed (apt-get install chromium); this test needs a real browser")
        return try HeadlessChromium(executable: chromium, logPath: "\(directory)/chromium-\(UUID().uuidString).log")
    }

    /// Peak signal-to-noise ratio of `shot`'s region at `origin` against `image`, over R, G and B.
    static func psnr(_ image: PixelBuffer, in shot: PixelBuffer, at origin: Point) -> Double {
        guard origin.x >= 0, origin.y >= 0, origin.x + image.width <= shot.width, origin.y + image.height <= shot.height else { return 0 }
        var squared = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let a = image[x, y], b = shot[origin.x + x, origin.y + y]
                for shift: UInt32 in [16, 8, 0] {
                    let d = Double(Int((a >> shift) & 0xff) - Int((b >> shift) & 0xff))
                    squared += d * d
                }
            }
        }
        let mse = squared / Double(image.width * image.height * 3)
        return mse == 0 ? 100 : 10 * log10(255 * 255 / mse)
    }

    // MARK: - Pictures

    /// The top-left corner at which `image` appears in `shot` with every pixel equal, if any.
    static func locate(_ image: PixelBuffer, in shot: PixelBuffer) -> Point? {
        guard shot.width >= image.width, shot.height >= image.height else { return nil }
        for oy in 0...(shot.height - image.height) {
            for ox in 0...(shot.width - image.width) where rgb(shot[ox, oy]) == rgb(image[0, 0]) {
                if mismatches(image, in: shot, at: Point(x: ox, y: oy), stopAfter: 1) == 0 { return Point(x: ox, y: oy) }
            }
        }
        return nil
    }

    /// How many pixels of `image` differ from `shot` when placed at `origin`.
    static func mismatches(_ image: PixelBuffer, in shot: PixelBuffer, at origin: Point, stopAfter limit: Int = .max) -> Int {
        guard origin.x >= 0, origin.y >= 0, origin.x + image.width <= shot.width, origin.y + image.height <= shot.height else {
            return image.width * image.height
        }
        var count = 0
        for y in 0..<image.height {
            for x in 0..<image.width where rgb(image[x, y]) != rgb(shot[origin.x + x, origin.y + y]) {
                count += 1
                if count >= limit { return count }
            }
        }
        return count
    }

    private static func rgb(_ pixel: UInt32) -> UInt32 { pixel & 0x00ff_ffff }

    // MARK: - Finding programs

    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// PORTHOLE_BIN (set by `make test`), or the `porthole` that `swift build --build-tests` put next
    /// to the test binary.
    static func portholeBinary() -> String? {
        if let path = ProcessInfo.processInfo.environment["PORTHOLE_BIN"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("porthole").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}
