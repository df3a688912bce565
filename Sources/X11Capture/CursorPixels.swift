/// Pixel arithmetic for X cursor images: XFIXES hands them out with premultiplied alpha (as the
/// RENDER extension's ARGB cursors are made), while `CursorImage` holds straight alpha.
public enum CursorPixels {
    /// `0xAARRGGBB` with premultiplied colour to straight colour (rounded, clamped to 255).
    public static func unpremultiplied(_ pixel: UInt32) -> UInt32 {
        let a = pixel >> 24
        if a == 0 { return 0 }
        if a == 255 { return pixel }
        func channel(_ shift: UInt32) -> UInt32 { min(255, (((pixel >> shift) & 0xff) * 255 + a / 2) / a) << shift }
        return a << 24 | channel(16) | channel(8) | channel(0)
    }
}
