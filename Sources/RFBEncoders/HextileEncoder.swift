import Geometry
import NIOCore
import Pixels
import RFB

/// The Hextile encoding (RFC 6143 §7.7.4): the rectangle is cut into 16x16 tiles, row-major from
/// its own top-left (the last column and row may be narrower), and each tile is sent as Raw pixels
/// or as a background colour plus subrectangles packed into two bytes each.
///
/// Per tile the encoder picks the smallest of:
/// - a solid tile: just the subencoding byte when the background carried over from the previous
///   tile already has the colour, otherwise BackgroundSpecified and the colour;
/// - two colours: background plus foreground-coloured subrectangles (AnySubrects, with
///   BackgroundSpecified / ForegroundSpecified only when the colour differs from the carried one);
/// - more colours: background plus SubrectsColoured subrectangles, each with its own pixel value;
/// - Raw, whenever the subrectangle form would be larger or need more than 255 subrectangles (the
///   count is a U8).
///
/// Background and foreground persist from tile to tile within one rectangle only, and the encoder
/// treats them as undefined after a Raw tile (both) and after a SubrectsColoured tile (the
/// foreground): viewers disagree on what those tiles leave behind, so the next tile that needs a
/// colour always specifies it again.
public struct HextileEncoder: FramebufferEncoder {
    /// The bits of a tile's subencoding byte (RFC 6143 §7.7.4).
    enum Subencoding {
        static let raw: UInt8 = 1
        static let backgroundSpecified: UInt8 = 2
        static let foregroundSpecified: UInt8 = 4
        static let anySubrects: UInt8 = 8
        static let subrectsColoured: UInt8 = 16
    }

    static let tileSize = 16

    private var search = SubrectangleSearch()
    private var tileValues: [UInt32] = []

    public init() {}

    public var encoding: Encoding { .hextile }

    public mutating func encode(_ rect: Rect, of frame: PixelView, translator: PixelTranslator,
                                into output: inout ByteBuffer) -> Int {
        precondition(frame.bounds.contains(rect), "rect \(rect) lies outside the frame")
        output.writeRectangleHeader(rect, encoding: .hextile)
        var background: UInt32? = nil
        var foreground: UInt32? = nil
        for tile in rect.tiles(width: Self.tileSize, height: Self.tileSize) {
            translatePixelValues(tile, of: frame, translator: translator, into: &tileValues)
            encodeTile(tile, of: frame, translator: translator, background: &background, foreground: &foreground, into: &output)
        }
        return 1
    }

    /// Writes one tile whose wire pixel values are in `tileValues`, updating the carried colours.
    private mutating func encodeTile(_ tile: Rect, of frame: PixelView, translator: PixelTranslator,
                                     background: inout UInt32?, foreground: inout UInt32?,
                                     into output: inout ByteBuffer) {
        let bytesPerPixel = translator.bytesPerPixel
        let rawSize = 1 + tile.width * tile.height * bytesPerPixel

        // Up to two colours with their counts; `manyColours` once a third one shows up.
        let first = tileValues[0]
        var firstCount = 0, secondCount = 0
        var second: UInt32? = nil
        var manyColours = false
        for value in tileValues {
            if value == first {
                firstCount += 1
            } else if second == nil {
                second = value
                secondCount = 1
            } else if value == second {
                secondCount += 1
            } else {
                manyColours = true
                break
            }
        }

        guard manyColours || second != nil else {
            // Solid tile.
            if background == first {
                output.writeInteger(UInt8(0))
            } else {
                output.writeInteger(Subencoding.backgroundSpecified)
                writePixelValue(first, translator: translator, into: &output)
                background = first
            }
            return
        }

        let tileBackground: UInt32
        let tileForeground: UInt32?
        if let second, !manyColours {
            // Two colours: the more common one is the background; on a tie keep the carried one.
            if secondCount > firstCount || (secondCount == firstCount && background == second) {
                tileBackground = second
                tileForeground = first
            } else {
                tileBackground = first
                tileForeground = second
            }
        } else {
            tileBackground = tileValues.withUnsafeBufferPointer { mostCommonPixelValue($0) }
            tileForeground = nil
        }

        var flags = Subencoding.anySubrects
        var fixedSize = 2 // subencoding byte and subrectangle count
        if background != tileBackground {
            flags |= Subencoding.backgroundSpecified
            fixedSize += bytesPerPixel
        }
        let bytesPerSubrectangle: Int
        if let tileForeground {
            if foreground != tileForeground {
                flags |= Subencoding.foregroundSpecified
                fixedSize += bytesPerPixel
            }
            bytesPerSubrectangle = 2
        } else {
            flags |= Subencoding.subrectsColoured
            bytesPerSubrectangle = bytesPerPixel + 2
        }
        // Anything larger than Raw, or more than a U8 can count, goes Raw.
        let limit = min(255, max(0, (rawSize - fixedSize) / bytesPerSubrectangle))
        let fits = tileValues.withUnsafeBufferPointer {
            search.search($0, width: tile.width, height: tile.height, background: tileBackground, limit: limit)
        }
        guard fits else {
            writeRawTile(tile, of: frame, translator: translator, into: &output)
            background = nil
            foreground = nil
            return
        }

        let subrectangles = search.found
        let size = fixedSize + subrectangles.count * bytesPerSubrectangle
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { destination in
            var p = destination.baseAddress!
            p.storeBytes(of: flags, as: UInt8.self)
            p += 1
            if flags & Subencoding.backgroundSpecified != 0 {
                p = storePixel(tileBackground, translator: translator, at: p)
            }
            if flags & Subencoding.foregroundSpecified != 0, let tileForeground {
                p = storePixel(tileForeground, translator: translator, at: p)
            }
            p.storeBytes(of: UInt8(subrectangles.count), as: UInt8.self)
            p += 1
            let coloured = flags & Subencoding.subrectsColoured != 0
            for subrectangle in subrectangles {
                if coloured {
                    p = storePixel(subrectangle.pixelValue, translator: translator, at: p)
                }
                p.storeBytes(of: UInt8(subrectangle.x << 4 | subrectangle.y), as: UInt8.self)
                p.storeBytes(of: UInt8((subrectangle.width - 1) << 4 | (subrectangle.height - 1)), toByteOffset: 1, as: UInt8.self)
                p += 2
            }
            return size
        }
        background = tileBackground
        foreground = tileForeground
    }

    /// A Raw tile: the subencoding byte 1, then the tile's pixels (a memcpy per row for XRGB8888).
    private func writeRawTile(_ tile: Rect, of frame: PixelView, translator: PixelTranslator,
                              into output: inout ByteBuffer) {
        output.writeInteger(Subencoding.raw)
        RawEncoder.writePixels(tile, of: frame, translator: translator, into: &output)
    }

    private func writePixelValue(_ value: UInt32, translator: PixelTranslator, into output: inout ByteBuffer) {
        let bytesPerPixel = translator.bytesPerPixel
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: bytesPerPixel) { destination in
            translator.store(value, to: destination.baseAddress!)
            return bytesPerPixel
        }
    }
}

/// Rectangles carry nothing from one to the next, so lanes encode with copies of the encoder.
extension HextileEncoder: IndependentRectangleEncoder {
    /// Hextile's tiles (RFC 6143 §7.7.4).
    public var laneRowGrid: Int { HextileEncoder.tileSize }
}
