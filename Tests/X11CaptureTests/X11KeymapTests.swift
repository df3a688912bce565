import Testing
import X11Capture

@Suite struct X11KeymapTests {
    // Keycodes 8...11: a/A, 1/!, nothing, Shift_L.
    let map = X11Keymap(minKeycode: 8, perKeycode: 3, keysyms: [
        0x61, 0x41, 0, 0x31, 0x21, 0, 0, 0, 0, 0xffe1, 0, 0,
    ])

    @Test func plainAndShiftedKeysymsAreFound() {
        #expect(map.locate(0x61)! == (8, 0))
        #expect(map.locate(0x41)! == (8, 1))
        #expect(map.locate(0x21)! == (9, 1))
        #expect(map.locate(0xffe1)! == (11, 0))
        #expect(map.locate(0x20ac) == nil)
        #expect(map.locate(0) == nil)
    }

    @Test func aMissingKeysymGoesOnASpareKey() {
        #expect(map.spareKeycodes == [10])
        var m = map
        m.assign(m.row(for: 0x20ac), to: 10)
        #expect(m.locate(0x20ac)! == (10, 0))
        #expect(Array(m.keysyms(of: 10)) == [0x20ac, 0x20ac, 0])
        #expect(m.spareKeycodes.isEmpty)
    }
}

@Suite struct CursorPixelsTests {
    @Test func premultipliedColourIsStraightened() {
        #expect(CursorPixels.unpremultiplied(0x8040_2010) == 0x8080_4020)
        #expect(CursorPixels.unpremultiplied(0xff12_3456) == 0xff12_3456)
        #expect(CursorPixels.unpremultiplied(0x00ff_ffff) == 0)
    }
}
