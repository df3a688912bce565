import Geometry
import Pixels

/// A plain picture with a few centred lines of text in the demo desktop's font: what a server
/// shows on an output that has nothing to show yet (`porthole serve --device` before a producer
/// has created an output).
public enum TextCard {
    public static let background: UInt32 = 0x0020_2530
    public static let foreground: UInt32 = 0x00d8_dee9

    /// `lines` centred on a `size` picture, the first in bold. Non-ASCII characters draw as `?`.
    public static func render(size: Size, lines: [String]) -> PixelBuffer {
        var picture = PixelBuffer(width: max(1, size.width), height: max(1, size.height), fill: background)
        let width = picture.width, height = picture.height
        let lineHeight = DemoFont.cellHeight + DemoFont.cellHeight / 2
        let top = (height - lines.count * lineHeight) / 2
        picture.pixels.withUnsafeMutableBufferPointer { pixels in
            let canvas = DemoCanvas(base: pixels.baseAddress!, width: width, height: height,
                                    clip: Rect(x: 0, y: 0, width: width, height: height))
            for (index, line) in lines.enumerated() {
                let x = (width - DemoFont.width(line.utf8.count)) / 2
                canvas.text(line, x: x, y: top + index * lineHeight, foreground, bold: index == 0)
            }
        }
        return picture
    }
}
