import CXCB
import Glibc

/// What went wrong talking to an X server.
public struct X11Error: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One xcb connection to a display and its first screen's root window, with the extensions the
/// mirror uses, each asked for its version as its specification requires before first use.
///
/// The connection is owned by one thread at a time (the output's event loop); xcb itself is
/// thread-safe, but the mirror's state around it is not.
final class X11Connection {
    let raw: OpaquePointer
    let display: String
    let root: xcb_window_t
    let rootVisual: xcb_visualid_t
    let rootDepth: UInt8
    /// The first event code of each extension (their events are numbered from it), or nil when the
    /// server lacks it.
    let damageEventBase: UInt8?
    let xfixesEventBase: UInt8?
    let randrEventBase: UInt8?
    /// XKB's event code (all its events share one, told apart by `xkbType`), or nil without XKB 1.0.
    let xkbEventBase: UInt8?
    /// The RandR version both sides speak ((0, 0) without RandR): 1.5 brings GetMonitors.
    let randrVersion: (major: Int, minor: Int)
    let hasShm: Bool
    let hasXTest: Bool
    let setup: UnsafePointer<xcb_setup_t>

    init(display: String) throws {
        var screenNumber: Int32 = 0
        guard let c = xcb_connect(display, &screenNumber) else { throw X11Error("cannot connect to X display \(display)") }
        let code = xcb_connection_has_error(c)
        if code != 0 {
            xcb_disconnect(c)
            throw X11Error("cannot connect to X display \(display) (" + Self.explain(code) + ")")
        }
        raw = c
        self.display = display
        guard let setup = xcb_get_setup(c) else { xcb_disconnect(c); throw X11Error("display \(display) sent no setup") }
        self.setup = setup
        var it = xcb_setup_roots_iterator(setup)
        var n = screenNumber
        while n > 0, it.rem > 0 { xcb_screen_next(&it); n -= 1 }
        guard it.rem > 0, let screen = it.data else { xcb_disconnect(c); throw X11Error("display \(display) has no screen \(screenNumber)") }
        root = screen.pointee.root
        rootVisual = screen.pointee.root_visual
        rootDepth = screen.pointee.root_depth

        // Damage 1.1 (damageproto: "the client must negotiate the version before any other
        // request"), XFIXES 5.0 likewise; MIT-SHM 1.2 for attach_fd; RandR 1.2 for the screen
        // change notification (1.5 asked for, for GetMonitors); XTEST 2.2; XKB 1.0 for the bell
        // (XKB protocol: UseExtension must come before any other XKB request).
        let shm = cxcb_shm_data(c)
        let damage = cxcb_damage_data(c)
        let xfixes = cxcb_xfixes_data(c)
        let xtest = cxcb_xtest_data(c)
        let randr = cxcb_randr_data(c)
        let xkb = cxcb_xkb_data(c)
        func present(_ p: UnsafePointer<xcb_query_extension_reply_t>?) -> Bool { p?.pointee.present != 0 }

        var shmOK = false
        if present(shm), let reply = xcb_shm_query_version_reply(c, xcb_shm_query_version(c), nil) {
            shmOK = reply.pointee.major_version > 1 || (reply.pointee.major_version == 1 && reply.pointee.minor_version >= 2)
            free(reply)
        }
        hasShm = shmOK
        var xfixesOK = false
        if present(xfixes), let reply = xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 5, 0), nil) {
            xfixesOK = reply.pointee.major_version >= 2
            free(reply)
        }
        xfixesEventBase = xfixesOK ? xfixes!.pointee.first_event : nil
        var damageOK = false
        if xfixesOK, present(damage), let reply = xcb_damage_query_version_reply(c, xcb_damage_query_version(c, 1, 1), nil) {
            damageOK = reply.pointee.major_version >= 1
            free(reply)
        }
        damageEventBase = damageOK ? damage!.pointee.first_event : nil
        var xtestOK = false
        if present(xtest), let reply = xcb_test_get_version_reply(c, xcb_test_get_version(c, 2, 2), nil) {
            xtestOK = reply.pointee.major_version >= 2
            free(reply)
        }
        hasXTest = xtestOK
        var version = (major: 0, minor: 0)
        if present(randr), let reply = xcb_randr_query_version_reply(c, xcb_randr_query_version(c, 1, 5), nil) {
            version = (Int(reply.pointee.major_version), Int(reply.pointee.minor_version))
            free(reply)
        }
        randrVersion = version
        randrEventBase = version >= (1, 2) ? randr!.pointee.first_event : nil
        var xkbOK = false
        if present(xkb), let reply = xcb_xkb_use_extension_reply(c, xcb_xkb_use_extension(c, 1, 0), nil) {
            xkbOK = reply.pointee.supported != 0
            free(reply)
        }
        xkbEventBase = xkbOK ? xkb!.pointee.first_event : nil
    }

    deinit { xcb_disconnect(raw) }

    /// xcb's connection error codes (xcb.h, XCB_CONN_*) in words.
    static func explain(_ code: Int32) -> String {
        switch code {
        case 1: return "no X server there, or the connection broke"
        case 2: return "the X server does not offer a needed extension"
        case 3: return "out of memory"
        case 4: return "a request was too long"
        case 5: return "the display name is invalid"
        case 6: return "the display has no such screen"
        case 7: return "file descriptor passing failed"
        default: return "xcb error \(code)"
        }
    }

    /// Nonzero once the connection broke (the server went away, or sent something xcb could not
    /// parse); every later request on it fails.
    var errorCode: Int32 { xcb_connection_has_error(raw) }
    var isBroken: Bool { errorCode != 0 }

    func flush() { _ = xcb_flush(raw) }

    /// The root window's current size, through GetGeometry (core protocol).
    func rootSize() throws -> (width: Int, height: Int) {
        guard let reply = xcb_get_geometry_reply(raw, xcb_get_geometry(raw, root), nil) else {
            throw X11Error("GetGeometry of the root window of \(display) failed")
        }
        defer { free(reply) }
        return (Int(reply.pointee.width), Int(reply.pointee.height))
    }

    /// Interns `name` (core protocol InternAtom).
    func atom(_ name: String) throws -> xcb_atom_t {
        let cookie = name.withCString { xcb_intern_atom(raw, 0, UInt16(strlen($0)), $0) }
        guard let reply = xcb_intern_atom_reply(raw, cookie, nil) else { throw X11Error("InternAtom \(name) failed on \(display)") }
        defer { free(reply) }
        return reply.pointee.atom
    }

    /// The root window's pixel layout: the pixmap format of its depth and its visual's masks, or,
    /// for a colormapped visual, its colours now and the reader that keeps them current.
    func pixelLayout() throws -> (layout: X11PixelLayout, colormap: X11ColormapReader?) {
        var bitsPerPixel = 0, pad = 0
        var formats = xcb_setup_pixmap_formats_iterator(setup)
        while formats.rem > 0 {
            if let f = formats.data, f.pointee.depth == rootDepth {
                bitsPerPixel = Int(f.pointee.bits_per_pixel); pad = Int(f.pointee.scanline_pad)
            }
            xcb_format_next(&formats)
        }
        guard let (visual, defaultColormap) = rootVisualType() else {
            throw X11Error("the root visual of \(display) is not among its screen's visuals")
        }
        let bigEndian = setup.pointee.image_byte_order == UInt8(XCB_IMAGE_ORDER_MSB_FIRST.rawValue)
        let layout: X11PixelLayout
        var colormap: X11ColormapReader?
        switch UInt32(visual._class) {
        case XCB_VISUAL_CLASS_TRUE_COLOR.rawValue:
            layout = X11PixelLayout(bitsPerPixel: bitsPerPixel, scanlinePad: pad, redMask: visual.red_mask, greenMask: visual.green_mask,
                                    blueMask: visual.blue_mask, bigEndian: bigEndian)
        case XCB_VISUAL_CLASS_DIRECT_COLOR.rawValue:
            throw X11Error("the root visual of \(display) is DirectColor, which is not supported (TrueColor and 8-bit colormaps are)")
        default:
            // StaticGray, GrayScale, StaticColor, PseudoColor: pixel values index a colormap.
            guard bitsPerPixel == 8 else {
                throw X11Error("the root visual of \(display) is colormapped at \(bitsPerPixel) bits per pixel; only 8 are supported")
            }
            let reader = X11ColormapReader(connection: self, defaultColormap: defaultColormap, entries: Int(visual.colormap_entries))
            guard let palette = reader.read() else { throw X11Error("reading the colormap of \(display) failed") }
            layout = X11PixelLayout(indexedWithScanlinePad: pad, palette: palette)
            colormap = reader
        }
        guard layout.isSupported else { throw X11Error("unsupported root pixel format on \(display): \(layout)") }
        return (layout, colormap)
    }

    /// The root window's visual (from the connection setup) and its screen's default colormap.
    private func rootVisualType() -> (xcb_visualtype_t, xcb_colormap_t)? {
        var screens = xcb_setup_roots_iterator(setup)
        while screens.rem > 0, let screen = screens.data {
            if screen.pointee.root == root {
                var depths = xcb_screen_allowed_depths_iterator(screen)
                while depths.rem > 0, let depth = depths.data {
                    var visuals = xcb_depth_visuals_iterator(depth)
                    while visuals.rem > 0, let v = visuals.data {
                        if v.pointee.visual_id == rootVisual { return (v.pointee, screen.pointee.default_colormap) }
                        xcb_visualtype_next(&visuals)
                    }
                    xcb_depth_next(&depths)
                }
            }
            xcb_screen_next(&screens)
        }
        return nil
    }

    func newID() -> UInt32 { xcb_generate_id(raw) }

    /// The largest request the server takes, in bytes (BIG-REQUESTS raises it when present).
    var maximumRequestBytes: Int { Int(xcb_get_maximum_request_length(raw)) * 4 }
}
