import Foundation
import Pixels
import Testing

/// Clipboard text outside Latin-1 between TigerVNC's vncviewer (Extended Clipboard, UTF-8) and
/// Porthole, both ways. The viewer's side is the X CLIPBOARD selection of its Xvfb display (set
/// and read with xclip); the server's side is read and set by `peers/extended_clipboard.py`, a
/// second viewer that speaks Extended Clipboard on a raw socket.
///
/// TigerVNC exchanges the clipboard only when it is not view-only and only while its window has
/// the keyboard focus, so the viewer runs with `-ViewOnly=0` in a window that xdotool focuses (no
/// window manager runs to do it). Its input reaches the served still image, which ignores it.
@Suite struct TigerVNCClipboardTests {
    /// Two lines, so line ends are converted on the way (LF locally, CRLF on the wire), with
    /// characters from outside Latin-1 and outside the Basic Multilingual Plane.
    static let text = "Grüße ✓ 日本語\nzweite Zeile 🚀"

    @Test func viewerClipboardReachesServer() async throws {
        let session = try await ClipboardSession(label: "to-server")
        try await XSelection.ownClipboard(Self.text, on: session.screen, scratch: session.scratch)
        let received = try await ExtendedClipboardPeer.waitForText(Self.text, port: session.server.port, scratch: session.scratch)
        #expect(received == Self.text, "the server's clipboard holds \(String(describing: received))\n\(session.logs)")
    }

    @Test func serverClipboardReachesViewer() async throws {
        let session = try await ClipboardSession(label: "to-viewer")
        // The viewer ignores an announcement that arrives before FLTK has seen the focus change,
        // so the text is offered again every few seconds until it shows up in the selection.
        let deadline = Date().addingTimeInterval(45)
        var selection: String?
        repeat {
            try await ExtendedClipboardPeer.write(Self.text, port: session.server.port, scratch: session.scratch)
            let attempt = Date().addingTimeInterval(5)
            repeat {
                selection = try await XSelection.readClipboard(on: session.screen, scratch: session.scratch)
                if selection == Self.text { break }
                try await Task.sleep(for: .milliseconds(250))
            } while Date() < attempt
        } while selection != Self.text && Date() < deadline
        #expect(selection == Self.text, "the viewer's CLIPBOARD selection holds \(String(describing: selection))\n\(session.logs)")
    }
}

extension TigerVNCClipboardTests {
    /// `porthole serve --image` at debug level, an Xvfb larger than the picture, and vncviewer in
    /// a window at 0,0 that has the input focus and has announced Extended Clipboard.
    struct ClipboardSession {
        let scratch: ScratchDirectory
        let server: PortholeServer
        let screen: VirtualX
        let viewer: TigerVNCViewer.Running

        init(label: String) async throws {
            scratch = try ScratchDirectory("vncviewer-clipboard-\(label)")
            let served = try await PixelBufferFile.png(Fixtures.desktop(), scratch: scratch)
            server = try await PortholeServer(serving: served, extraArguments: ["--log-level", "debug"], scratch: scratch)
            screen = try await VirtualX.xvfb(width: 640, height: 480, scratch: scratch)
            viewer = try TigerVNCViewer.start(on: screen, port: server.port, encoding: "ZRLE", desktop: nil, viewOnly: false,
                                              extraArguments: ["-geometry", "+0+0", "-SendClipboard=1", "-AcceptClipboard=1",
                                                               "-SendPrimary=0", "-SetPrimary=0", "-Log=*:stderr:100"])
            let announced = await server.waitForLogLine(timeout: 45) { $0.contains(" encodings ") && $0.contains("ExtendedClipboard") }
            guard announced != nil else {
                throw HarnessError("vncviewer did not announce ExtendedClipboard within 45 s\nviewer log:\n\(viewer.output)\nserver log:\n\(server.log)")
            }
            let window = try await XDoTool.window(of: viewer.process, on: screen, scratch: scratch)
            try await XDoTool.focus(window, on: screen, scratch: scratch)
        }

        var logs: String { "viewer log:\n\(viewer.output)\nserver log:\n\(server.log)" }
    }
}
