import Foundation
import Pixels

/// TigerVNC's `vncviewer`, full screen on an Xvfb screen exactly the size of the remote desktop, so
/// that `xwd -root` shows what it decoded. No window manager runs, so "full screen" is simply a
/// window of the screen's size at 0,0.
enum TigerVNCViewer {
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
    /// `fullScreen: false` leaves the window where TigerVNC puts it (the `extraArguments` may give a
    /// `-geometry`); `viewOnly: false` lets the viewer send input and exchange the clipboard, which
    /// TigerVNC does only when it is not view-only; `extraArguments` go before the server address.
    @discardableResult
    static func start(on screen: VirtualX, port: Int, encoding: String, colour: Colour = .full,
                      obfuscatedPasswordFile: URL? = nil, fullScreen: Bool = true, viewOnly: Bool = true,
                      extraArguments: [String] = []) throws -> Running {
        // ViewOnly: the viewer sends no keyboard or pointer events, which would otherwise reach the
        // remote desktop (xwud quits on a key press, and a moved pointer changes x11vnc's picture).
        var arguments = (fullScreen ? ["-FullScreen"] : []) +
            ["-PreferredEncoding=\(encoding)", "-AutoSelect=0", "-Shared=1", "-ViewOnly=\(viewOnly ? 1 : 0)"]
        switch colour {
        case .full: arguments += ["-FullColor=1"]
        case .medium: arguments += ["-FullColor=0", "-LowColorLevel=2"]
        }
        if let file = obfuscatedPasswordFile { arguments += ["-PasswordFile=\(file.path)"] }
        let executable = try requirePeer("vncviewer")
        let all = arguments + extraArguments + ["127.0.0.1::\(port)"]
        return try Running { try screen.launch(executable, all) }
    }

    /// A running viewer that may be started a second time, once, if it hits a race of its own.
    ///
    /// TigerVNC 1.12's viewer selects XInput2 events on its window while FLTK may still be
    /// re-creating that window (full screen, no window manager). On a loaded machine the request
    /// then fails with `XRequest.131: BadWindow` and the viewer goes on without ever drawing its
    /// window: the screen stays black although the connection works. That is the viewer's fault,
    /// not the server's, so the harness starts the same viewer again, and says so in the log it
    /// shows; the picture must still come out exact.
    final class Running {
        private let launch: () throws -> ChildProcess
        private(set) var process: ChildProcess
        private var earlierOutput = ""
        private(set) var restarts = 0

        init(launch: @escaping () throws -> ChildProcess) throws {
            self.launch = launch
            process = try launch()
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
            return true
        }
    }

    /// Polls the viewer's screen until it equals `expected` as seen through `format`, for at most
    /// `timeout` seconds, and returns the comparison of the last grab. Given the `viewer`, it starts
    /// it again once if it hit its XInput race (see `Running`), with a fresh `timeout` from then.
    static func waitUntilShowing(_ expected: PixelBuffer, in format: PixelFormat, toleranceSteps: Int = 0,
                                 on screen: VirtualX, viewer: Running? = nil, timeout: Double = 45) async throws -> ImageComparison {
        let result = try await waitForScreen(on: screen, viewer: viewer, timeout: timeout) { grabbed in
            ImageComparison(expected: expected, actual: grabbed, in: format, toleranceSteps: toleranceSteps).isIdentical
        }
        return ImageComparison(expected: expected, actual: result.screen, in: format, toleranceSteps: toleranceSteps)
    }

    /// `VirtualX.waitForScreen`, in slices of a few seconds, between which a `viewer` that hit its
    /// XInput race is started again (once), with a fresh `timeout` from then.
    static func waitForScreen(on screen: VirtualX, viewer: Running?, timeout: Double,
                              _ accept: (PixelBuffer) -> Bool) async throws -> (matched: Bool, screen: PixelBuffer) {
        var deadline = Date().addingTimeInterval(timeout)
        while true {
            let slice = max(0.5, min(5, deadline.timeIntervalSinceNow))
            let result = try await screen.waitForScreen(timeout: slice, accept)
            if result.matched || Date() >= deadline { return result }
            if let viewer, try viewer.restartIfItHitTheXInputRace() {
                deadline = Date().addingTimeInterval(timeout)
            }
        }
    }
}
