import Display

/// How the X server lays out pixels of a ZPixmap image of the root window (X11 protocol,
/// "Connection Setup": pixmap formats and visual masks), and the conversion from it to Porthole's
/// XRGB8888.
///
/// TrueColor visuals at 32 and 16 bits per pixel are supported, with any channel masks and either
/// byte order, and colormapped visuals (PseudoColor, StaticColor, GrayScale, StaticGray) at 8 bits
/// per pixel, whose pixel values index `palette`. DirectColor and other depths are refused when
/// connecting.
public struct X11PixelLayout: Equatable, Sendable {
    public var bitsPerPixel: Int
    /// The scanline padding in bits: every row of an image starts on such a boundary.
    public var scanlinePad: Int
    public var redMask: UInt32
    public var greenMask: UInt32
    public var blueMask: UInt32
    /// The image byte order is most significant byte first.
    public var bigEndian: Bool
    /// For a colormapped visual, the colour (XRGB8888) that each pixel value 0...255 shows, from
    /// the colormap the screen has installed; nil for TrueColor. It changes while the mirror runs
    /// (X clients store colours), see X11ColormapReader.
    public var palette: [UInt32]?

    /// A TrueColor layout.
    public init(bitsPerPixel: Int, scanlinePad: Int, redMask: UInt32, greenMask: UInt32, blueMask: UInt32, bigEndian: Bool) {
        self.bitsPerPixel = bitsPerPixel; self.scanlinePad = scanlinePad
        self.redMask = redMask; self.greenMask = greenMask; self.blueMask = blueMask; self.bigEndian = bigEndian
    }

    /// A colormapped layout: one byte per pixel, an index into `palette`.
    public init(indexedWithScanlinePad scanlinePad: Int, palette: [UInt32]) {
        self.init(bitsPerPixel: 8, scanlinePad: scanlinePad, redMask: 0, greenMask: 0, blueMask: 0, bigEndian: false)
        self.palette = palette
    }

    public var isSupported: Bool {
        guard [8, 16, 32].contains(scanlinePad) else { return false }
        if let palette { return bitsPerPixel == 8 && palette.count == 256 }
        return (bitsPerPixel == 32 || bitsPerPixel == 16) && redMask != 0 && greenMask != 0 && blueMask != 0
    }

    /// A colormap entry (X11 protocol, QueryColors: 16 bits a channel) as XRGB8888, each channel
    /// rounded to the nearest of 8 bits' levels (v * 255 / 65535), as RFB viewers scale a channel.
    public static func paletteEntry(red: UInt16, green: UInt16, blue: UInt16) -> UInt32 {
        func eight(_ v: UInt16) -> UInt32 { (UInt32(v) * 255 + 32767) / 65535 }
        return eight(red) << 16 | eight(green) << 8 | eight(blue)
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
        if let palette {
            let indices = source.assumingMemoryBound(to: UInt8.self)
            palette.withUnsafeBufferPointer { colours in
                for i in 0..<count { destination[i] = colours[Int(indices[i])] }
            }
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
