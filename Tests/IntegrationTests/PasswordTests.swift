import Foundation
import Pixels
import PortholeTestSupport
import Testing

/// `porthole serve --password-file` turns on VNC Authentication (RFC 6143 §7.2.2), which real
/// viewers must get through with the right password and not with a wrong one.
@Suite struct PasswordTests {
    static let password = "s3cret!"

    @Test func vncdotoolWithRightPasswordCaptures() async throws {
        let scratch = try ScratchDirectory("password-right")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--password-file", try VNCPasswordFiles.plain(Self.password, scratch: scratch).path], scratch: scratch)
        defer { server.stop() }

        let captured = try await VNCDoTool.captureImage(port: server.port, encoding: .hextile, format: .bgrx, password: Self.password, scratch: scratch)

        let comparison = ImageComparison(expected: served.image, actual: captured)
        #expect(comparison.isIdentical, "\(comparison)")
    }

    /// A password file others can read or change gets a warning naming it and its mode; one
    /// only its owner can read gets none. Either way the server serves.
    @Test(arguments: [0o644, 0o600])
    func aPasswordFileOthersCanReadIsWarnedAbout(mode: Int) async throws {
        let scratch = try ScratchDirectory("password-mode-\(String(mode, radix: 8))")
        let file = try VNCPasswordFiles.plain(Self.password, scratch: scratch)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        let server = try await PortholeServer(["--size", "64x64", "--password-file", file.path], scratch: scratch)
        defer { server.stop() }
        let warning = "warning: other users can read or change the password file \(file.path) (mode 644); chmod 600 it"
        #expect(server.log.contains(warning) == (mode == 0o644), "\(server.log)")
        #expect(server.isRunning)
    }

    @Test func vncdotoolWithWrongPasswordIsRefusedAndLogged() async throws {
        let scratch = try ScratchDirectory("password-wrong")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--password-file", try VNCPasswordFiles.plain(Self.password, scratch: scratch).path], scratch: scratch)
        defer { server.stop() }

        let png = scratch.file("must-not-exist.png")
        let result = try await VNCDoTool.capture(port: server.port, encoding: .raw, format: .bgrx, password: "wrong", to: png, scratch: scratch)

        #expect(result.exitStatus == 4, "expected an authentication failure (exit 4): \(result.summary)")
        #expect(!FileManager.default.fileExists(atPath: png.path), "a capture was written despite the wrong password")
        let line = await server.waitForLogLine { line in
            let l = line.lowercased()
            return l.contains("auth") && ["fail", "denied", "reject", "wrong", "invalid", "bad"].contains { l.contains($0) }
        }
        #expect(line != nil, "no authentication-failure line in the server log:\n\(server.log)")
        #expect(server.isRunning, "the server exited after a failed login")
    }

    @Test func tigerVNCViewerWithObfuscatedPasswordFileConnects() async throws {
        let scratch = try ScratchDirectory("password-vncviewer")
        let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
        let server = try await PortholeServer(serving: served, extraArguments: ["--password-file", try VNCPasswordFiles.plain(Self.password, scratch: scratch).path], scratch: scratch)
        defer { server.stop() }
        let screen = try await TigerVNCViewer.screen(width: Fixtures.width, height: Fixtures.height, scratch: scratch)

        let viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: "ZRLE",
                                              obfuscatedPasswordFile: try await VNCPasswordFiles.obfuscated(Self.password, scratch: scratch),
                                              desktop: (Fixtures.width, Fixtures.height))
        let comparison = try await TigerVNCViewer.waitUntilShowing(served.image, in: .xrgb8888, on: screen, viewer: viewer)

        #expect(comparison.isIdentical, "\(comparison)\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
    }
}
