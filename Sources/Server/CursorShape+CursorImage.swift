import Display
import Geometry
import RFB

/// The wire forms of a pointer image for viewers that draw the cursor themselves.
extension CursorShape {
    /// The Cursor pseudo-encoding's form of a pointer image: colours as they are, and a pixel in
    /// the mask when it is at least half opaque.
    init(_ image: CursorImage) {
        let rowBytes = (image.width + 7) / 8
        var mask = [UInt8](repeating: 0, count: rowBytes * image.height)
        for y in 0..<image.height {
            for x in 0..<image.width where image.argb[y * image.width + x] >> 24 >= 0x80 {
                mask[y * rowBytes + x / 8] |= 0x80 >> UInt8(x % 8)
            }
        }
        self.init(hotspot: image.hotspot, size: Size(width: image.width, height: image.height),
                  pixels: image.argb.map { $0 & 0x00ff_ffff }, mask: mask)
    }
}

extension XCursorShape {
    /// XCursor has two colours: dark pixels take the foreground (black), light ones the
    /// background (white); the mask is as for Cursor.
    init(_ image: CursorImage) {
        let rowBytes = (image.width + 7) / 8
        var bitmap = [UInt8](repeating: 0, count: rowBytes * image.height)
        var mask = [UInt8](repeating: 0, count: rowBytes * image.height)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let c = image.argb[y * image.width + x]
                let bit: UInt8 = 0x80 >> UInt8(x % 8)
                if c >> 24 >= 0x80 { mask[y * rowBytes + x / 8] |= bit }
                let luma = (((c >> 16) & 0xff) * 3 + ((c >> 8) & 0xff) * 6 + (c & 0xff)) / 10
                if luma < 128 { bitmap[y * rowBytes + x / 8] |= bit }
            }
        }
        self.init(hotspot: image.hotspot, size: Size(width: image.width, height: image.height),
                  foreground: 0x000000, background: 0xffffff, bitmap: bitmap, mask: mask)
    }
}
