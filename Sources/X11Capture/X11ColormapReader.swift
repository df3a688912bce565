import CXCB
import Glibc

/// The colours of a colormapped root visual (8-bit PseudoColor and its kin), read from the
/// colormap the screen has installed.
///
/// X clients change a PseudoColor colormap's cells (StoreColors) without drawing anything, and no
/// event tells other clients so (X11 protocol: ColormapNotify reports only a window's colormap
/// attribute and installation). So the mirror reads the colours again at every update, the idle
/// polls included, and re-reads the screen whole when they changed (X11Session). That costs one
/// round trip per update on such screens; TrueColor screens have no reader. x11vnc likewise
/// compares the colormap on a timer.
///
/// Which colormap: on a screen with one hardware colormap (Xvfb, most PseudoColor hardware), the
/// one installed is what every window shows, and a client with a private colormap installs its own
/// while it has the focus. The default colormap is used while it is installed, else the first
/// installed one (ListInstalledColormaps). A window whose private colormap is not installed is
/// therefore shown in the wrong colours, as the screen itself shows it; `xwd -root` instead
/// composes each window through its own colormap (as x11vnc does with `-8to24`), which is not done
/// here.
final class X11ColormapReader {
    private let connection: X11Connection
    private let defaultColormap: xcb_colormap_t
    /// The pixel values whose colours every read asks for: every cell of the root visual's
    /// colormaps, at most 256 (pixel values beyond show black).
    private let pixels: [UInt32]
    private var colormap: xcb_colormap_t
    private var pending: (installed: xcb_list_installed_colormaps_cookie_t, colours: xcb_query_colors_cookie_t)?

    init(connection: X11Connection, defaultColormap: xcb_colormap_t, entries: Int) {
        self.connection = connection
        self.defaultColormap = defaultColormap
        pixels = (0..<UInt32(max(1, min(256, entries)))).map { $0 }
        colormap = defaultColormap
    }

    /// Reads the colours now: what `request` and `take` do together.
    func read() -> [UInt32]? {
        request()
        return take()
    }

    /// Sends the two requests an update's reading needs, so their round trip overlaps others.
    func request() {
        pending = (xcb_list_installed_colormaps(connection.raw, connection.root), queryColours())
    }

    /// QueryColors of every cell of the current colormap.
    private func queryColours() -> xcb_query_colors_cookie_t {
        pixels.withUnsafeBufferPointer { xcb_query_colors(connection.raw, colormap, UInt32($0.count), $0.baseAddress) }
    }

    /// The 256 colours (XRGB8888) of the installed colormap, or nil when the server refused or
    /// the connection broke.
    func take() -> [UInt32]? {
        guard let pending else { return nil }
        self.pending = nil
        let c = connection.raw
        var colours = reply(to: pending.colours)
        if let installed = xcb_list_installed_colormaps_reply(c, pending.installed, nil) {
            defer { free(installed) }
            let maps = UnsafeBufferPointer(start: xcb_list_installed_colormaps_cmaps(installed),
                                           count: Int(xcb_list_installed_colormaps_cmaps_length(installed)))
            let shown = maps.contains(defaultColormap) ? defaultColormap : maps.first ?? defaultColormap
            if shown != colormap {
                // The screen installed another colormap since the last read: read that one.
                colormap = shown
                colours = reply(to: queryColours())
            }
        }
        return colours
    }

    private func reply(to cookie: xcb_query_colors_cookie_t) -> [UInt32]? {
        guard let reply = xcb_query_colors_reply(connection.raw, cookie, nil) else { return nil }
        defer { free(reply) }
        let rgbs = UnsafeBufferPointer(start: xcb_query_colors_colors(reply), count: Int(xcb_query_colors_colors_length(reply)))
        var palette = [UInt32](repeating: 0, count: 256)
        for (pixel, rgb) in rgbs.prefix(pixels.count).enumerated() {
            palette[pixel] = X11PixelLayout.paletteEntry(red: rgb.red, green: rgb.green, blue: rgb.blue)
        }
        return palette
    }
}
