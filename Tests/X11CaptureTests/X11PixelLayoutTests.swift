import Testing
import X11Capture

@Suite struct X11PixelLayoutTests {
    /// One row of `source`'s pixels (as the X server lays them out) converted to XRGB8888.
    private func converted<Pixel>(_ source: [Pixel], through layout: X11PixelLayout) -> [UInt32] {
        var out = [UInt32](repeating: 0xdead_beef, count: source.count)
        source.withUnsafeBytes { s in
            out.withUnsafeMutableBufferPointer { layout.convertRow(s.baseAddress!, count: source.count, into: $0.baseAddress!) }
        }
        return out
    }

    @Test func depth24IsCopiedWithTheUnusedByteCleared() {
        let layout = X11PixelLayout(bitsPerPixel: 32, scanlinePad: 32, redMask: 0xff0000, greenMask: 0xff00, blueMask: 0xff, bigEndian: false)
        #expect(converted([0xff12_3456, 0x00ab_cdef] as [UInt32], through: layout) == [0x12_3456, 0xab_cdef])
        #expect(layout.stride(width: 3) == 12)
    }

    @Test func rgb565IsWidenedLikeViewersDo() {
        let layout = X11PixelLayout(bitsPerPixel: 16, scanlinePad: 32, redMask: 0xf800, greenMask: 0x07e0, blueMask: 0x001f, bigEndian: false)
        #expect(converted([0xffff, 0xf800, 0x07e0, 0x001f, 0x0000] as [UInt16], through: layout)
                == [0xff_ffff, 0xff_0000, 0x00_ff00, 0x00_00ff, 0])
        // Three 16-bit pixels are 48 bits, padded to 64.
        #expect(layout.stride(width: 3) == 8)
    }

    @Test func bigEndianAndSwappedMasks() {
        let layout = X11PixelLayout(bitsPerPixel: 32, scanlinePad: 32, redMask: 0xff, greenMask: 0xff00, blueMask: 0xff0000, bigEndian: true)
        // Bytes as the server sends them, most significant first: 0x00 B G R.
        let bytes: [UInt8] = [0x00, 0x56, 0x34, 0x12]
        var out: UInt32 = 0
        bytes.withUnsafeBytes { s in layout.convertRow(s.baseAddress!, count: 1, into: &out) }
        #expect(out == 0x12_3456)
    }

    @Test func colormappedPixelsAreLookedUpInThePalette() {
        var palette = [UInt32](repeating: 0, count: 256)
        palette[0] = 0x00_0000; palette[1] = 0xff_ffff; palette[75] = 0x33_6699; palette[255] = 0xcc_3300
        let layout = X11PixelLayout(indexedWithScanlinePad: 32, palette: palette)
        #expect(layout.isSupported)
        #expect(converted([75, 0, 255, 1, 75] as [UInt8], through: layout) == [0x33_6699, 0, 0xcc_3300, 0xff_ffff, 0x33_6699])
        // Five bytes padded to 32 bits.
        #expect(layout.stride(width: 5) == 8)
    }

    @Test func colormapEntriesAreRoundedToTheNearest8BitLevel() {
        #expect(X11PixelLayout.paletteEntry(red: 0xffff, green: 0x3333, blue: 0) == 0xff_3300)
        // 0x8000 is 127.502 of 255, 0x7fff 127.498, 0x0081 0.502: cutting off the low byte would
        // give 0x80, 0x7f and 0.
        #expect(X11PixelLayout.paletteEntry(red: 0x8000, green: 0x7fff, blue: 0x0081) == 0x80_7f01)
    }

    @Test func unsupportedFormatsAreRecognised() {
        #expect(!X11PixelLayout(bitsPerPixel: 8, scanlinePad: 32, redMask: 0, greenMask: 0, blueMask: 0, bigEndian: false).isSupported)
        #expect(!X11PixelLayout(indexedWithScanlinePad: 32, palette: [0, 1, 2]).isSupported)
        var fourBit = X11PixelLayout(indexedWithScanlinePad: 32, palette: [UInt32](repeating: 0, count: 256))
        fourBit.bitsPerPixel = 4
        #expect(!fourBit.isSupported)
        #expect(!X11PixelLayout(bitsPerPixel: 24, scanlinePad: 32, redMask: 0xff0000, greenMask: 0xff00, blueMask: 0xff, bigEndian: false).isSupported)
    }
}
