import Pixels

/// Reading framebuffer pixels of each supported fourcc as straight-alpha `0xAARRGGBB`, the
/// composer's working form; the X formats read as opaque. Values are little-endian in memory, as
/// DRM formats are.
public enum PixelConversion {
    @inline(__always)
    static func argb(_ format: FourCC, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        switch format {
        case .xrgb8888:
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) | 0xff00_0000
        case .argb8888:
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        case .xbgr8888:
            return swapRedBlue(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) | 0xff00_0000
        case .abgr8888:
            return swapRedBlue(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        case .rgb565:
            return expand565(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        }
    }

    /// Converts `count` consecutive pixels of an opaque format (the X formats and RGB565) into
    /// the scanout's `0x00RRGGBB`: the composer's path for planes shown 1:1 and opaque. XRGB8888
    /// (the format most producers use) is a masked copy (`PixelTranslator.copyClearingX`).
    public static func convertOpaqueRow(_ format: FourCC, from source: UnsafeRawPointer, to target: UnsafeMutablePointer<UInt32>, count: Int) {
        var i = 0
        switch format {
        case .xrgb8888, .argb8888:
            #if _endian(little)
            PixelTranslator.copyClearingX(source, count: count, into: UnsafeMutableRawPointer(target))
            #else
            while i < count {
                target[i] = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) & 0x00ff_ffff
                i += 1
            }
            #endif
        case .xbgr8888, .abgr8888:
            while i < count {
                target[i] = swapRedBlue(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) & 0x00ff_ffff
                i += 1
            }
        case .rgb565:
            while i < count {
                target[i] = expand565(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) & 0x00ff_ffff
                i += 1
            }
        }
    }

    /// `0xAABBGGRR` <-> `0xAARRGGBB`.
    @inline(__always) static func swapRedBlue(_ v: UInt32) -> UInt32 {
        (v & 0xff00_ff00) | ((v & 0xff) << 16) | ((v >> 16) & 0xff)
    }

    /// RGB565 to opaque ARGB8888, replicating the top bits into the low ones so that 0 stays 0 and
    /// full scale becomes 255 (0x1f -> 0xff, 0x3f -> 0xff).
    @inline(__always) static func expand565(_ v: UInt16) -> UInt32 {
        let r5 = UInt32(v >> 11) & 0x1f, g6 = UInt32(v >> 5) & 0x3f, b5 = UInt32(v) & 0x1f
        let r = (r5 << 3) | (r5 >> 2), g = (g6 << 2) | (g6 >> 4), b = (b5 << 3) | (b5 >> 2)
        return 0xff00_0000 | (r << 16) | (g << 8) | b
    }

    /// Pixel alpha (0...255) times plane alpha (0...0xffff), as 0...0xffff.
    @inline(__always) static func combinedAlpha(_ argb: UInt32, planeAlpha: UInt16) -> UInt32 {
        let pixel = (argb >> 24) * 257
        return (pixel * UInt32(planeAlpha) + 0x7fff) / 0xffff
    }

    /// Straight-alpha "over": `source * a + destination * (1 - a)` per channel, `a` in 0...0xffff,
    /// rounded to nearest. The result is opaque XRGB8888.
    @inline(__always) static func blend(_ source: UInt32, over destination: UInt32, alpha a: UInt32) -> UInt32 {
        let inverse = 0xffff - a
        @inline(__always) func channel(_ shift: UInt32) -> UInt32 {
            let s = UInt64((source >> shift) & 0xff), d = UInt64((destination >> shift) & 0xff)
            return UInt32((s * UInt64(a) + d * UInt64(inverse) + 0x7fff) / 0xffff) << shift
        }
        return channel(16) | channel(8) | channel(0)
    }
}
