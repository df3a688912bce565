import Foundation
import Testing

/// The X11 mirror's fallbacks, end to end on an Xvfb that lacks what the fast paths use: without
/// MIT-SHM the screen is read with core GetImage, without DAMAGE the whole screen is compared in
/// tiles every frame; either way a viewer's picture equals `xwd -root` pixel for pixel, also after
/// the screen changed under a running mirror. And the X cursor image (XFIXES) reaches a viewer that
/// asks for the Cursor pseudo-encoding exactly as the X server shows it.
@Suite(.serialized) struct X11FallbackTests {
    /// Xvfb started with `-extension EXTENSION`: the mirror says which path it took, and the
    /// viewer's picture equals the root window after xterm draws and after the background changes.
    @Test(arguments: ["MIT-SHM", "DAMAGE"])
    func viewerPictureEqualsTheRootWindowWithout(extension name: String) async throws {
        let scratch = try ScratchDirectory("x11-without-\(name)")
        let mirror = try await X11Mirror.start(xvfbArguments: ["-extension", name], scratch: scratch)
        defer { mirror.server.stop() }
        let expected = name == "MIT-SHM" ? "(GetImage, DAMAGE)" : "(MIT-SHM, tile polling)"
        #expect(await mirror.server.waitForLogLine(timeout: 60) { $0.contains("mirroring X display") && $0.contains(expected) } != nil,
                "no mirroring line saying \(expected):\n\(mirror.server.log)")

        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "60x12+20+30", "-e", "sh", "-c", "echo porthole fallback; ls /; sleep 600"])
        var (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "after xterm drew: \(comparison)\nserver log:\n\(mirror.server.log)")

        try await mirror.x("xsetroot", ["-solid", "#3a6ea5"])
        (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "after xsetroot -solid: \(comparison)\nserver log:\n\(mirror.server.log)")
    }

    /// A root-window cursor set from bitmaps (`xsetroot -cursor`) reaches vncdotool through the
    /// Cursor pseudo-encoding: its size, hotspot, mask and black and white pixels are the bitmaps'.
    @Test func xCursorImageReachesAViewerWithTheCursorEncoding() async throws {
        let scratch = try ScratchDirectory("x11-cursor-shape")
        // xsetroot frees its cursor and exits; Xvfb's SECURITY extension then refuses XFIXES
        // GetCursorImage for it (BadAccess: its owner is gone), so the mirror could not read it.
        // Cursors of live clients (window managers, applications) are readable either way.
        let mirror = try await X11Mirror.start(xvfbArguments: ["-extension", "SECURITY"], scratch: scratch)
        defer { mirror.server.stop() }
        let cursor = TestCursor()
        let (source, mask) = (scratch.file("cursor.xbm"), scratch.file("mask.xbm"))
        try cursor.xbm(name: "cursor", bits: cursor.source, hotspot: true).write(to: source, atomically: true, encoding: .utf8)
        try cursor.xbm(name: "mask", bits: cursor.mask, hotspot: false).write(to: mask, atomically: true, encoding: .utf8)
        try await mirror.x("xsetroot", ["-cursor", source.path, mask.path])

        let driver = try Self.cursorDriver()
        let shape = try await X11Mirror.poll(timeout: 45, {
            let result = try await ProcessRunner.run(try requirePeer("python3"),
                                                     [driver.path, "--port", "\(mirror.server.port)", scratch.uniqueFile("screen", extension: "png").path],
                                                     in: scratch, timeout: 45)
            // The output also holds whatever the driver wrote to stderr; the shape is the JSON line.
            guard result.succeeded, let json = result.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
                throw HarnessError("vncdotool_cursor.py failed: \(result.summary)")
            }
            return try JSONDecoder().decode(ReceivedCursor.self, from: Data(json.utf8))
        }) { $0.size == [cursor.width, cursor.height] && $0.hotspot == [cursor.hotspot.x, cursor.hotspot.y] }
        #expect(shape.size == [cursor.width, cursor.height], "cursor size \(shape.size)\nserver log:\n\(mirror.server.log)")
        guard shape.size == [cursor.width, cursor.height] else { return }
        #expect(shape.hotspot == [cursor.hotspot.x, cursor.hotspot.y])
        #expect(shape.mask == cursor.mask.map { $0 ? 1 : 0 }, "mask differs")
        let wrong = (0..<cursor.mask.count).filter { cursor.mask[$0] && shape.pixels?[$0] != (cursor.source[$0] ? "000000" : "ffffff") }
        #expect(wrong.isEmpty, "\(wrong.count) cursor pixels differ, first at index \(wrong.first ?? -1)")
    }

    /// What vncdotool_cursor.py prints.
    struct ReceivedCursor: Decodable {
        var size: [Int]
        var hotspot: [Int]?
        var pixels: [String]?
        var mask: [Int]?
    }

    /// A 20x18 cursor (not the 16x16 of X's default cursor) with no symmetry, so a flip or a
    /// shifted row shows: foreground (black) and background (white) bits, a mask that leaves a
    /// corner transparent, hotspot (5, 3).
    struct TestCursor {
        let width = 20, height = 18
        let hotspot = (x: 5, y: 3)
        var source: [Bool] { (0..<width * height).map { i in (i % width * 3 + i / width) % 7 < 3 } }
        var mask: [Bool] { (0..<width * height).map { i in i % width + i / width < 24 && !(i % width == 0 && i / width == 0) } }

        /// The bitmap in X bitmap format (XBM: each row padded to whole bytes, least significant bit first).
        func xbm(name: String, bits: [Bool], hotspot withHotspot: Bool) -> String {
            var text = "#define \(name)_width \(width)\n#define \(name)_height \(height)\n"
            if withHotspot { text += "#define \(name)_x_hot \(hotspot.x)\n#define \(name)_y_hot \(hotspot.y)\n" }
            var bytes: [String] = []
            for y in 0..<height {
                for byte in 0..<(width + 7) / 8 {
                    var value = 0
                    for bit in 0..<8 where byte * 8 + bit < width && bits[y * width + byte * 8 + bit] { value |= 1 << bit }
                    bytes.append(String(format: "0x%02x", value))
                }
            }
            return text + "static unsigned char \(name)_bits[] = {\n" + bytes.joined(separator: ", ") + "};\n"
        }
    }

    static func cursorDriver() throws -> URL {
        guard let url = Bundle.module.url(forResource: "vncdotool_cursor", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/vncdotool_cursor.py is missing from the test bundle's resources")
        }
        return url
    }
}
