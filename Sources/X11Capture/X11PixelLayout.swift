import Display

/// How the X server lays out pixels of a ZPixmap image of the root window (X11 protocol,
/// "Connection Setup": pixmap formats and visual masks), and the conversion from it to Porthole's
/// XRGB8888.
///
/// TrueColor visuals at 32 and 16 bits per pixel are supported, with any channel masks and either
/// byte order; other visuals (8-bit pseudo colour) are refused when connecting.
public struct X11PixelLayout: Equatable, Sendable {
    public var bitsPerPixel: Int
    /// The scanline padding in bits: every row of an image starts on such a boundary.
    public var scanlinePad: Int
    public var redMask: UInt32
    public var greenMask: UInt32
    public var blueMask: UInt32
    /// The image byte order is most significant byte first.
    public var bigEndian: Bool

    public init(bitsPerPixel: Int, scanlinePad: Int, redMask: UInt32, greenMask: UInt32, blueMask: UInt32, bigEndian: Bool) {
        self.bitsPerPixel = bitsPerPixel; self.scanlinePad = scanlinePad
        self.redMask = redMask; self.greenMask = greenMask; self.blueMask = blueMask; self.bigEndian = bigEndian
    }

    public var isSupported: Bool {
        (bitsPerPixel == 32 || bitsPerPixel == 16) && redMask != 0 && greenMask != 0 && blueMask != 0
            && [8, 16, 32].contains(scanlinePad)
    }

    public var bytesPerPixel: Int { bitsPerPixel / 8 }

    /// The bytes of one row of `width` pixels, padding included.
    public func stride(width: Int) -> Int {
        (width * bitsPerPixel + scanlinePad - 1) / scanlinePad * scanlinePad / 8
    }

    /// The common case (Xvfb, Xorg at depth 24): one copy with the unused byte cleared, eight
    /// pixels at a time (the display device's conversion of XRGB8888 framebuffers).
    private var isXRGB: Bool {
        bitsPerPixel == 32 && !bigEndian && redMask == 0xff0000 && greenMask == 0xff00 && blueMask == 0xff
    }

    /// Converts `count` pixels starting at `source` into `destination`.
    public func convertRow(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<UInt32>) {
        if isXRGB {
            PixelConversion.convertOpaqueRow(.xrgb8888, from: source, to: destination, count: count)
            return
        }
        let (r, g, b) = (Channel(redMask), Channel(greenMask), Channel(blueMask))
        for i in 0..<count {
            let value: UInt32
            if bitsPerPixel == 32 {
                let v = source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                value = bigEndian ? v.byteSwapped : v
            } else {
                let v = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                value = UInt32(bigEndian ? v.byteSwapped : v)
            }
            destination[i] = r.expand(value) << 16 | g.expand(value) << 8 | b.expand(value)
        }
    }

    /// One colour channel: where its bits sit and how to widen them to 8 bits.
    private struct Channel {
        let shift: Int
        let bits: Int
        let mask: UInt32
        init(_ mask: UInt32) {
            self.mask = mask
            shift = mask == 0 ? 0 : mask.trailingZeroBitCount
            bits = (mask >> UInt32(shift)).nonzeroBitCount
        }
        /// The channel scaled to 0...255 the way RFB viewers scale (v * 255 / max, rounded).
        @inline(__always) func expand(_ pixel: UInt32) -> UInt32 {
            let v = (pixel & mask) >> UInt32(shift)
            if bits == 8 { return v }
            let max = (UInt32(1) << UInt32(bits)) - 1
            return (v * 255 + max / 2) / max
        }
    }
}
