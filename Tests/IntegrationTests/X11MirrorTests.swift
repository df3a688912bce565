import Foundation
import Testing

/// `porthole serve --x11 :N` mirroring an Xvfb display that real X clients draw on: what viewers
/// see is the X server's own picture pixel for pixel, viewers' keys, pointer and clipboard reach
/// the X clients, X's clipboard reaches viewers, and a RandR resize reaches viewers as a new size.
@Suite(.serialized) struct X11MirrorTests {
    /// After xterm and xclock draw, a viewer's picture equals `xwd -root` exactly (with DAMAGE, and
    /// with --x11-poll comparing tiles).
    @Test(arguments: [false, true])
    func viewerPictureEqualsTheRootWindow(polling: Bool) async throws {
        let scratch = try ScratchDirectory("x11-picture\(polling ? "-poll" : "")")
        let mirror = try await X11Mirror.start(arguments: polling ? ["--x11-poll"] : [], scratch: scratch)
        defer { mirror.server.stop() }
        #expect(await mirror.server.waitForLogLine { $0.contains("mirroring X display") && $0.contains(polling ? "tile polling" : "DAMAGE") } != nil,
                "no mirroring line naming the change detection:\n\(mirror.server.log)")
        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "60x12+20+30", "-e", "sh", "-c", "echo porthole mirror; ls /; sleep 600"])
        try mirror.display.launch(try requirePeer("xclock"), ["-geometry", "160x160+500+300", "-update", "60"])
        try await Task.sleep(for: .seconds(2))

        let (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "viewer picture differs from xwd -root: \(comparison)\nserver log:\n\(mirror.server.log)")
    }

    /// With no viewer the mirror reads nothing, not even DAMAGE events: an xterm printing without
    /// pause for three seconds costs it (almost) no CPU (before, 62 ticks in 10 s; x11vnc 0). A
    /// viewer that comes afterwards still gets the screen exactly, and after it leaves, drawing
    /// costs nothing again.
    @Test func anUnwatchedMirrorReadsNothingAndTheNextViewerSeesTheScreen() async throws {
        let scratch = try ScratchDirectory("x11-unwatched")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        #expect(await mirror.server.waitForLogLine { $0.contains("mirroring X display") && $0.contains("DAMAGE") } != nil, "\(mirror.server.log)")
        let busy = "timeout 3 sh -c 'while :; do ls -l /usr/bin | head -40; done'; echo settled; sleep 600"

        for round in 1...2 {
            try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "80x24+\(round * 40)+\(round * 30)", "-e", "sh", "-c", busy])
            try await Task.sleep(for: .milliseconds(500))
            let before = try ProcessCPU.seconds(of: mirror.server.processIdentifier)
            try await Task.sleep(for: .seconds(2))
            let spent = try ProcessCPU.seconds(of: mirror.server.processIdentifier) - before
            #expect(spent <= 0.05, "round \(round): the unwatched mirror spent \(spent) s of CPU in 2 s of drawing")
            try await Task.sleep(for: .seconds(1))

            let (matched, comparison) = try await mirror.snapshotMatchingScreen()
            #expect(matched, "round \(round): viewer picture differs from xwd -root: \(comparison)\nserver log:\n\(mirror.server.log)")
        }
    }

    /// A screen whose size is no multiple of anything (801x601: the shared-memory segment holds
    /// exactly one screen, 1 925 604 bytes) is read whole, and X clients drawing in several places
    /// at once (a frame's reads sent together, side by side in the segment) are mirrored exactly.
    @Test func anOddSizedScreenDrawnInSeveralPlacesIsMirroredExactly() async throws {
        let scratch = try ScratchDirectory("x11-odd-size")
        let mirror = try await X11Mirror.start(width: 801, height: 601, scratch: scratch)
        defer { mirror.server.stop() }
        #expect(await mirror.server.waitForLogLine { $0.contains("mirroring X display") && $0.contains("801x601") && $0.contains("MIT-SHM") } != nil,
                "no mirroring line with the odd size and MIT-SHM:\n\(mirror.server.log)")
        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "30x6+3+5", "-e", "sh", "-c", "echo left; sleep 600"])
        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "30x6-3-5", "-e", "sh", "-c", "echo right; sleep 600"])
        try mirror.display.launch(try requirePeer("xclock"), ["-geometry", "120x120+600+20", "-update", "60"])
        try await Task.sleep(for: .seconds(2))

        let (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "viewer picture differs from xwd -root: \(comparison)\nserver log:\n\(mirror.server.log)")
    }

    /// Text typed by vncdotool (through XTEST) arrives in an xterm running `cat > file`.
    @Test func typedTextReachesAnXterm() async throws {
        let scratch = try ScratchDirectory("x11-typing")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        let typed = scratch.file("typed.txt")
        // No window manager runs: keyboard focus follows the pointer, so the pointer goes over the xterm.
        try mirror.display.launch(try requirePeer("xterm"), ["-geometry", "60x10+0+0", "-e", "sh", "-c", "cat > '\(typed.path)'"])
        try await Task.sleep(for: .seconds(2))

        try await mirror.vncdotool(["move", "60", "40", "type", "hello", "key", "enter", "type", "Mixed Case: 42!", "key", "enter"])

        let text = try await X11Mirror.poll({ (try? String(contentsOf: typed, encoding: .utf8)) ?? "" }) { $0.hasSuffix("42!\n") }
        #expect(text == "hello\nMixed Case: 42!\n", "server log:\n\(mirror.server.log)")
    }

    /// Keysyms the X keymap does not have (é and ß on Xvfb's default US map) still arrive: the
    /// mirror maps them onto spare keycodes with ChangeKeyboardMapping before sending them by XTEST.
    @Test func keysymsMissingFromTheKeymapStillArrive() async throws {
        let scratch = try ScratchDirectory("x11-spare-keycodes")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        let typed = scratch.file("typed.txt")
        // A UTF-8 locale, so xterm writes é and ß as UTF-8.
        try mirror.display.launch(try requirePeer("env"), ["LANG=C.UTF-8", try requirePeer("xterm"), "-geometry", "60x10+0+0",
                                                          "-e", "sh", "-c", "cat > '\(typed.path)'"])
        try await Task.sleep(for: .seconds(2))

        try await mirror.vncdotool(["move", "60", "40", "type", "x", "key", "é", "key", "ß", "key", "enter"])

        let text = try await X11Mirror.poll({ (try? String(contentsOf: typed, encoding: .utf8)) ?? "" }) { $0.hasSuffix("\n") }
        #expect(text == "xéß\n", "server log:\n\(mirror.server.log)")
    }

    /// A pointer move and click from vncdotool land where sent: xdotool reads the pointer position
    /// and xev reports the button press at those root coordinates.
    @Test func pointerClickLandsWhereSent() async throws {
        let scratch = try ScratchDirectory("x11-pointer")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        let xev = try mirror.display.launch(try requirePeer("xev"), ["-geometry", "300x200+100+100", "-event", "button"])
        try await Task.sleep(for: .seconds(2))

        try await mirror.vncdotool(["move", "123", "234"])
        let location = try await X11Mirror.poll({ try await mirror.x("xdotool", ["getmouselocation"]) }) { $0.contains("x:123 y:234") }
        #expect(location.contains("x:123 y:234"), "xdotool getmouselocation: \(location)")

        try await mirror.vncdotool(["move", "150", "160", "click", "3"])
        let press = await xev.waitForOutput(timeout: 10) { text in
            text.range(of: "ButtonPress event[^B]*?root:\\(150,160\\)[^B]*?button 3", options: .regularExpression).map { String(text[$0]) }
        }
        #expect(press != nil, "xev saw no button 3 press at (150,160):\n\(xev.output)")
    }

    /// The X pointer moved by a local X client (xdotool, not a viewer) shows where it is: a viewer
    /// without the cursor pseudo-encodings (`porthole snapshot`) gets the X cursor drawn in, so its
    /// picture differs from `xwd -root` (which has no cursor) only around the pointer, and the
    /// drawing follows the pointer's next move. Before the pointer moves, the picture is exact.
    @Test func xPointerMovedByAnXClientIsShown() async throws {
        let scratch = try ScratchDirectory("x11-pointer-position")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        let (untouched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(untouched, "before the pointer moved: \(comparison)\nserver log:\n\(mirror.server.log)")

        for (x, y) in [(300, 200), (120, 450)] {
            try await mirror.x("xdotool", ["mousemove", "\(x)", "\(y)"])
            let box = try await X11Mirror.poll({ try await Self.differenceBounds(mirror) }) { box in
                box.map { $0.minX <= x && x <= $0.maxX && $0.minY <= y && y <= $0.maxY } ?? false
            }
            guard let box else { Issue.record("no cursor drawn after xdotool mousemove \(x) \(y)\n\(mirror.server.log)"); continue }
            #expect(box.maxX - box.minX < 64 && box.maxY - box.minY < 64 && abs(box.minX - x) < 64 && abs(box.minY - y) < 64,
                    "pixels differing from xwd -root after moving to (\(x), \(y)) span \(box)")
        }
    }

    /// The bounding box of the pixels in which a viewer's picture differs from `xwd -root`, or nil
    /// when they are identical.
    static func differenceBounds(_ mirror: X11Mirror) async throws -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        let viewer = try await PortholeSnapshot.captureImage(port: mirror.server.port, encoding: "zrle", scratch: mirror.scratch)
        let screen = try await mirror.display.grabScreen()
        guard viewer.size == screen.size else { throw HarnessError("viewer is \(viewer.size), screen \(screen.size)") }
        var box: (minX: Int, minY: Int, maxX: Int, maxY: Int)?
        for i in 0..<screen.pixels.count where screen.pixels[i] & 0xffffff != viewer.pixels[i] & 0xffffff {
            let (x, y) = (i % screen.width, i / screen.width)
            box = box.map { (min($0.minX, x), min($0.minY, y), max($0.maxX, x), max($0.maxY, y)) } ?? (x, y, x, y)
        }
        return box
    }

    /// Clipboard text with non-ASCII letters goes from X (xclip) to a viewer and from a viewer to X,
    /// through CLIPBOARD (and PRIMARY for the viewer's text).
    @Test func clipboardTravelsBothWays() async throws {
        let scratch = try ScratchDirectory("x11-clipboard")
        let mirror = try await X11Mirror.start(scratch: scratch)
        defer { mirror.server.stop() }
        let driver = try Self.clipboardDriver()
        try requirePeer("vncdotool")

        let receiver = try ChildProcess(try requirePeer("python3"), [driver.path, "--port", "\(mirror.server.port)", "receive", "--timeout", "20"],
                                        logFile: scratch.uniqueFile("clipboard-receive", extension: "log"))
        let ready = await receiver.waitForOutput(timeout: 60) { $0.contains("ready") ? true : nil }
        #expect(ready == true, "the receiving viewer did not connect:\n\(receiver.output)")
        let fromX = "grüße aus X, café"
        let input = scratch.file("from-x.txt")
        try fromX.write(to: input, atomically: true, encoding: .utf8)
        // xclip forks and keeps serving the selection; it is stopped with the display.
        try mirror.display.launch(try requirePeer("xclip"), ["-selection", "clipboard", "-i", input.path])
        let result = await receiver.wait(timeout: 25)
        #expect(result.output.contains("received: \"gr\\u00fc\\u00dfe aus X, caf\\u00e9\""), "viewer got: \(result.summary)\nserver log:\n\(mirror.server.log)")

        let fromViewer = "Straße à Zürich"
        let send = try await ProcessRunner.run(try requirePeer("python3"), [driver.path, "--port", "\(mirror.server.port)", "send", fromViewer],
                                               in: scratch, timeout: 30)
        #expect(send.succeeded, "\(send.summary)")
        for selection in ["clipboard", "primary"] {
            let pasted = try await X11Mirror.poll({ (try? await mirror.x("xclip", ["-selection", selection, "-o"], timeout: 5)) ?? "" }) { $0 == fromViewer }
            #expect(pasted == fromViewer, "xclip -selection \(selection) -o gave \(pasted.debugDescription)\nserver log:\n\(mirror.server.log)")
        }
    }

    /// An xrandr resize of the X screen reaches viewers: a new snapshot has the new size and equals
    /// the X server's picture; growing back works too.
    @Test func randrResizeReachesViewers() async throws {
        let scratch = try ScratchDirectory("x11-randr")
        let mirror = try await X11Mirror.start(width: 800, height: 600, scratch: scratch)
        defer { mirror.server.stop() }
        try mirror.display.launch(try requirePeer("xclock"), ["-geometry", "120x120+10+10"])
        try await Task.sleep(for: .seconds(1))

        // Xvfb's RandR keeps its one mode; turning the output off lets the screen shrink.
        try await mirror.x("xrandr", ["--output", "screen", "--off", "--fb", "640x480"])
        var (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "after shrinking to 640x480: \(comparison)\nserver log:\n\(mirror.server.log)")
        #expect(await mirror.server.waitForLogLine { $0.contains("is now 640x480") } != nil, "\(mirror.server.log)")

        try await mirror.x("xrandr", ["--fb", "800x600", "--output", "screen", "--auto"])
        (matched, comparison) = try await mirror.snapshotMatchingScreen()
        #expect(matched, "after growing back to 800x600: \(comparison)\nserver log:\n\(mirror.server.log)")
    }

    /// The X screen's RandR monitors are the output's screens: after `xrandr --setmonitor` splits
    /// the Xvfb screen into two virtual monitors, an ExtendedDesktopSize viewer (`porthole snapshot
    /// --print-layout`) lists both beside the server's own monitor for the whole screen, and after
    /// `--delmonitor` the deleted one is gone.
    @Test func randrMonitorsBecomeScreens() async throws {
        let scratch = try ScratchDirectory("x11-monitors")
        let mirror = try await X11Mirror.start(width: 1280, height: 800, scratch: scratch)
        defer { mirror.server.stop() }
        let whole = "0,0 1280x800", left = "0,0 640x800", right = "640,0 640x800"
        #expect(try await Self.screenRects(mirror) == [whole])

        try await mirror.x("xrandr", ["--setmonitor", "Left", "640/170x800/210+0+0", "none"])
        try await mirror.x("xrandr", ["--setmonitor", "Right", "640/170x800/210+640+0", "none"])
        let split = try await X11Mirror.poll({ try await Self.screenRects(mirror) }) { $0 == [whole, left, right] }
        #expect(split == [whole, left, right], "server log:\n\(mirror.server.log)")

        try await mirror.x("xrandr", ["--delmonitor", "Left"])
        let after = try await X11Mirror.poll({ try await Self.screenRects(mirror) }) { $0 == [whole, right] }
        #expect(after == [whole, right], "server log:\n\(mirror.server.log)")
    }

    /// The screens `porthole snapshot --print-layout` reports, as "X,Y WxH", sorted.
    static func screenRects(_ mirror: X11Mirror) async throws -> [String] {
        let png = mirror.scratch.uniqueFile("layout", extension: "png")
        let result = try await ProcessRunner.run(try PortholeServer.binary(),
                                                 ["snapshot", "127.0.0.1:\(mirror.server.port)", png.path, "--print-layout"],
                                                 in: mirror.scratch, timeout: 30)
        guard result.succeeded else { throw HarnessError("porthole snapshot --print-layout failed: \(result.summary)") }
        return result.output.split(separator: "\n").filter { $0.hasPrefix("screen ") }
            .map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") }.sorted()
    }

    static func clipboardDriver() throws -> URL {
        guard let url = Bundle.module.url(forResource: "vncdotool_clipboard", withExtension: "py", subdirectory: "peers") else {
            throw HarnessError("peers/vncdotool_clipboard.py is missing from the test bundle's resources")
        }
        return url
    }
}
