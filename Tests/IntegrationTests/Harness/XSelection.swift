import Foundation

/// The X CLIPBOARD selection of a virtual display, through xclip: owned by an `xclip -quiet`
/// running in the foreground (so it is stopped with the display) or read as UTF8_STRING.
enum XSelection {
    /// Makes an xclip process the owner of CLIPBOARD on `screen`, holding `text`; it serves the
    /// selection until another client takes it or the display goes away.
    @discardableResult
    static func ownClipboard(_ text: String, on screen: VirtualX, scratch: ScratchDirectory) async throws -> ChildProcess {
        let input = scratch.uniqueFile("selection", extension: "txt")
        try Data(text.utf8).write(to: input)
        let owner = try screen.launch(try requirePeer("xclip"), ["-quiet", "-selection", "clipboard", "-target", "UTF8_STRING",
                                                                  "-in", input.path])
        // Owned once xclip answers a request for it: read it back through the display. 60 s, the
        // harness's usual bound for a peer: with CI's parallel Xvfbs and viewers, 15 s once ran out
        // after xclip had answered two requests.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try await readClipboard(on: screen, scratch: scratch) == text { return owner }
            guard owner.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("xclip did not take the CLIPBOARD selection on \(screen.display) within 60 s; its log:\n\(owner.output)")
    }

    /// The CLIPBOARD selection as UTF-8 text, or nil when nobody owns it or the owner offers no text.
    static func readClipboard(on screen: VirtualX, scratch: ScratchDirectory) async throws -> String? {
        let output = scratch.uniqueFile("selection-out", extension: "txt")
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "out=$1; shift; exec \"$@\" > \"$out\"", "sh", output.path,
                                                             try requirePeer("xclip"), "-out", "-selection", "clipboard",
                                                             "-target", "UTF8_STRING"],
                                                 in: scratch, timeout: 15, environment: ["DISPLAY": screen.display])
        guard result.succeeded else { return nil }
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }
}
