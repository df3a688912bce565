/// How a viewer in colour-map mode (RFC 6143 §7.4, true-colour-flag 0, 8 bits per pixel) is
/// served: the server fills the whole map once with SetColourMapEntries (§7.6.2) so that pixel
/// value v shows the colour v has in BGR233, and then sends pixels exactly as to a BGR233 viewer.
/// TigerVNC's and libvncserver's servers do the same (a fixed map, not one fitted to the picture):
/// nothing per frame, and every encoder works unchanged.
///
/// Viewers ask for colour maps on 8-bit PseudoColor displays (TightVNC's viewer with `-owncmap`,
/// RealVNC's `pal8`); refusing them left those users with no picture at all.
public enum ColourMapStandIn {
    /// The true-colour format pixels are translated to.
    public static let format = PixelFormat.bgr233

    /// The map's 256 entries, index = pixel value: each component's level scaled to 0...65535.
    public static let entries: [(red: UInt16, green: UInt16, blue: UInt16)] = (0..<256).map { value in
        func level(_ max: UInt16, _ shift: UInt8) -> UInt16 {
            let step = (value >> Int(shift)) & Int(max)
            return UInt16(step * 65535 / Int(max))
        }
        return (level(format.redMax, format.redShift), level(format.greenMax, format.greenShift), level(format.blueMax, format.blueShift))
    }
}
