import Foundation
import Pixels

/// TigerVNC's `vncviewer` in a window exactly the size of the remote desktop at 0,0 of an Xvfb
/// screen a little larger (`screenMargin`), so that the top-left of `xwd -root` shows what it
/// decoded. No window manager runs, so the window has no frame; FLTK still offsets a new window
/// for the title bar it expects (it lands at 1,20), so the harness moves it to 0,0 with xdotool.
///
/// Not `-FullScreen`: without a window manager FLTK makes a window full screen by unmapping and
/// re-creating it, and TigerVNC 1.12 may select XInput2 events on the window being replaced; on a
/// loaded machine that fails (`XRequest.131: BadWindow`) and the viewer never draws. Nor a screen
/// exactly the desktop's size: TigerVNC shrinks a window that would cover the whole screen
/// ("Adjusting window size to avoid accidental full screen request").
enum TigerVNCViewer {
    /// How much larger than the desktop the viewer's screen is on each axis.
    static let screenMargin = 32

    /// An Xvfb screen for a viewer of a `width`x`height` desktop (see `screenMargin`).
    static func screen(width: Int, height: Int, depth: Int = 24, scratch: ScratchDirectory) async throws -> VirtualX {
        try await VirtualX.xvfb(width: width + screenMargin, height: height + screenMargin, depth: depth, scratch: scratch)
    }

    enum Colour {
        /// -FullColor=1: the viewer asks for 24-bit rgb888 (even on a depth-16 screen, where it then
        /// reduces each pixel to RGB565 itself; its log says "Using pixel format depth 24").
        case full
        /// -FullColor=0 -LowColorLevel=2: 8 bpp "rgb332" (TigerVNC's mediumColourPF in CConn.cxx:
        /// max 7/7/3, shifts 5/2/0; its log says "Using pixel format depth 8 (8bpp) rgb332").
        case medium

        static let mediumPixelFormat = PixelFormat(bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true,
                                                   redMax: 7, greenMax: 7, blueMax: 3,
                                                   redShift: 5, greenShift: 2, blueShift: 0)
    }

    /// Starts the viewer on `screen` against 127.0.0.1:`port` with `encoding` (TigerVNC's names:
    /// Raw, Hextile, ZRLE, Tight) as its only preference.
    ///
    /// `desktop` places the window at 0,0 with exactly that size (on a screen from `screen(...)`);
    /// nil leaves the window where TigerVNC puts it (the `extraArguments` may give a `-geometry`);
    /// `viewOnly: false` lets the viewer send input and exchange the clipboard, which
    /// TigerVNC does only when it is not view-only; `extraArguments` go before the server address.
    @discardableResult
    static func start(on screen: VirtualX, port: Int, encoding: String, colour: Colour = .full,
                      obfuscatedPasswordFile: URL? = nil, desktop: (width: Int, height: Int)?, viewOnly: Bool = true,
                      extraArguments: [String] = []) throws -> Running {
        // ViewOnly: the viewer sends no keyboard or pointer events, which would otherwise reach the
        // remote desktop (xwud quits on a key press, and a moved pointer changes x11vnc's picture).
        var arguments = (desktop.map { ["-geometry", "\($0.width)x\($0.height)+0+0"] } ?? []) +
            ["-PreferredEncoding=\(encoding)", "-AutoSelect=0", "-Shared=1", "-ViewOnly=\(viewOnly ? 1 : 0)"]
        switch colour {
        case .full: arguments += ["-FullColor=1"]
        case .medium: arguments += ["-FullColor=0", "-LowColorLevel=2"]
        }
        if let file = obfuscatedPasswordFile { arguments += ["-PasswordFile=\(file.path)"] }
        let executable = try requirePeer("vncviewer")
        let all = arguments + extraArguments + ["127.0.0.1::\(port)"]
        return try Running(screen: screen, placedAtOrigin: desktop != nil) { try screen.launch(executable, all) }
    }

    /// A running viewer that may be started a second time, once, if it hits a race of its own.
    ///
    /// TigerVNC 1.12's viewer selects XInput2 events on its window while FLTK may still be
    /// re-creating that window (seen with `-FullScreen`, which the harness no longer uses). If the
    /// request fails (`XRequest.131: BadWindow`) the viewer goes on without ever drawing its
    /// window: the screen stays black although the connection works. That is the viewer's fault,
    /// not the server's, so the harness starts the same viewer again, once, and says so in the log
    /// it shows; the picture must still come out exact.
    final class Running {
        private let launch: () throws -> ChildProcess
        private let screen: VirtualX
        private let placedAtOrigin: Bool
        private(set) var process: ChildProcess
        private var earlierOutput = ""
        private(set) var restarts = 0
        private var placed = false

        init(screen: VirtualX, placedAtOrigin: Bool, launch: @escaping () throws -> ChildProcess) throws {
            self.launch = launch
            self.screen = screen
            self.placedAtOrigin = placedAtOrigin
            process = try launch()
        }

        /// Moves the viewer's window to 0,0 once it exists (when started with a `desktop`).
        func placeWindow() async throws {
            guard placedAtOrigin, !placed else { return }
            let window = try await XDoTool.window(of: process, on: screen, scratch: screen.scratch)
            try await XDoTool.move(window, x: 0, y: 0, on: screen, scratch: screen.scratch)
            placed = true
        }

        /// Everything every attempt has written, with a line between attempts.
        var output: String { earlierOutput + process.output }

        func stop() { process.stop() }

        /// Starts the viewer again if it hit the XInput race (and has not been restarted yet).
        /// Returns whether it did.
        func restartIfItHitTheXInputRace() throws -> Bool {
            guard restarts == 0, process.output.contains("BadWindow") else { return false }
            earlierOutput += process.output +
                "\n--- harness: vncviewer hit its XInput BadWindow race and drew nothing; started it again ---\n"
            process.stop()
            process = try launch()
            restarts += 1
            placed = false
            return true
        }
    }

    /// Polls the viewer's screen until it equals `expected` as seen through `format`, for at most
    /// `timeout` seconds, and returns the comparison of the last grab. Given the `viewer`, it starts
    /// it again once if it hit its XInput race (see `Running`), with a fresh `timeout` from then.
    static func waitUntilShowing(_ expected: PixelBuffer, in format: PixelFormat, toleranceSteps: Int = 0,
                                 on screen: VirtualX, viewer: Running? = nil, timeout: Double = 45) async throws -> ImageComparison {
        // The desktop is the screen's top-left corner (the screen may be larger: `screenMargin`).
        let desktop = { (grabbed: PixelBuffer) in
            grabbed.size == expected.size ? grabbed : grabbed.cropped(to: expected.bounds)
        }
        let result = try await waitForScreen(on: screen, viewer: viewer, timeout: timeout) { grabbed in
            ImageComparison(expected: expected, actual: desktop(grabbed), in: format, toleranceSteps: toleranceSteps).isIdentical
        }
        return ImageComparison(expected: expected, actual: desktop(result.screen), in: format, toleranceSteps: toleranceSteps)
    }

    /// `VirtualX.waitForScreen`, in slices of a few seconds, between which a `viewer` that hit its
    /// XInput race is started again (once), with a fresh `timeout` from then.
    static func waitForScreen(on screen: VirtualX, viewer: Running?, timeout: Double,
                              _ accept: (PixelBuffer) -> Bool) async throws -> (matched: Bool, screen: PixelBuffer) {
        var deadline = Date().addingTimeInterval(timeout)
        while true {
            try await viewer?.placeWindow()
            let slice = max(0.5, min(5, deadline.timeIntervalSinceNow))
            let result = try await screen.waitForScreen(timeout: slice, accept)
            if result.matched || Date() >= deadline { return result }
            if let viewer, try viewer.restartIfItHitTheXInputRace() {
                deadline = Date().addingTimeInterval(timeout)
            }
        }
    }
}
