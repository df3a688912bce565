import Foundation
import Pixels

/// TightVNC's `xtightvncviewer` (Debian's xtightvncviewer package), full screen on an Xvfb screen
/// the size of the remote desktop. It is the viewer that still offers `-bgr233`, the classic
/// 8-bit true-colour format (max 7/7/3, shifts 0/3/6), which it translates to the screen's visual
/// through a colour map of all 256 values.
enum TightVNCViewer {
    /// Starts the viewer against 127.0.0.1:`port` in BGR233 with `encoding` (TightVNC's names:
    /// raw, hextile, rre, copyrect, tight, zlib) as its only encoding. `-nocursorshape` keeps the
    /// viewer from drawing a cursor shape into its picture; `-viewonly` from sending input.
    @discardableResult
    /// On an 8-bit PseudoColor display, `-owncmap` makes the viewer ask for a colour map (RFC 6143
    /// §7.4, true-colour-flag 0) and store the server's SetColourMapEntries in a private colormap.
    static func startWithOwnColourMap(on screen: VirtualX, port: Int, encoding: String) throws -> ChildProcess {
        try screen.launch(try requirePeer("xtightvncviewer"),
                          ["-fullscreen", "-owncmap", "-encodings", encoding, "-nocursorshape", "-viewonly", "127.0.0.1::\(port)"])
    }

    static func startInBGR233(on screen: VirtualX, port: Int, encoding: String) throws -> ChildProcess {
        try screen.launch(try requirePeer("xtightvncviewer"),
                          ["-fullscreen", "-bgr233", "-encodings", encoding, "-nocursorshape", "-viewonly", "127.0.0.1::\(port)"])
    }
}
