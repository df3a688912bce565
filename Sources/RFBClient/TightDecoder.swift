import Geometry
import NIOCore
import Pixels
import RFB
import ZlibStreams

/// The viewer side of Tight (encoding 7, rfbproto "Tight Encoding"): FillCompression,
/// JpegCompression (libjpeg-turbo) and BasicCompression with the copy, palette and gradient
/// filters over four zlib streams that the control byte can reset.
///
/// The whole payload is located first (`TightPayload`) without consuming anything; until it has
/// all arrived the decoder throws `.needMoreData` with the input and the streams untouched.
/// Hostile input is bounded: compact lengths cannot exceed 4 MiB - 1 (22 bits), basic rects
/// may not be wider than the spec's 2048 pixels, and zlib data may inflate to exactly the bytes
/// the rect's filter needs and no more. After `.malformed` the streams may be out of step with
/// the server and the connection must be closed.
public struct TightDecoder: RectangleDecoder {
    /// rfbproto: no Tight rect with basic compression is wider than this.
    public static let maximumRectWidth = 2048
    /// Filtered data shorter than this arrives uncompressed (rfbproto).
    static let minimumBytesToCompress = 12

    public let encoding = Encoding.tight
    private var inflaters: [InflateStream]
    private var jpeg: TightJPEGDecompressor?

    public init() {
        inflaters = (0..<4).map { _ in InflateStream() }
    }

    public mutating func decode(_ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        let pixels = try TightPixels(format: format)
        let payload = try TightPayload.parse(input.readableBytesView, rect: rect, format: format, tpixelSize: pixels.size)
        try requireInside(rect, of: framebuffer)
        // rfbproto [NOTE1]: reset the named streams whatever the compression method.
        for i in 0..<4 where payload.resets & (1 << UInt8(i)) != 0 { inflaters[i] = InflateStream() }

        let bytes = input.getSlice(at: input.readerIndex, length: payload.length)!
        input.moveReaderIndex(forwardBy: payload.length)
        switch payload.method {
        case .fill(let offset):
            let colour = bytes.withUnsafeReadableBytes { pixels.canonical(at: $0.baseAddress! + offset) }
            framebuffer.withCanvas { $0.fill(rect, with: colour) }
        case .jpeg(let offset, let length):
            try decodeJPEG(bytes, offset: offset, length: length, rect: rect, pixels: pixels, into: &framebuffer)
        case .basic(let stream, let filter, let paletteOffset, let paletteCount, let dataOffset, let dataLength,
                    let compressed, let filteredSize):
            let palette: [UInt32] = bytes.withUnsafeReadableBytes { all in
                (0..<paletteCount).map { pixels.canonical(at: all.baseAddress! + paletteOffset + $0 * pixels.size) }
            }
            let data: [UInt8]
            if compressed {
                data = try inflate(bytes, offset: dataOffset, length: dataLength, stream: stream, expected: filteredSize, rect: rect)
            } else {
                data = Array(bytes.readableBytesView[(bytes.readableBytesView.startIndex + dataOffset)...])
            }
            if filter == .palette && paletteCount > 2, let bad = data.first(where: { Int($0) >= paletteCount }) {
                throw .malformed("Tight palette index \(bad) outside a palette of \(paletteCount)")
            }
            data.withUnsafeBytes { d in
                framebuffer.withCanvas { canvas in
                    switch filter {
                    case .copy: pixels.drawCopy(d.baseAddress!, rect: rect, canvas: canvas)
                    case .gradient: pixels.drawGradient(d.baseAddress!, rect: rect, canvas: canvas)
                    case .palette:
                        pixels.drawPalette(d.baseAddress!.assumingMemoryBound(to: UInt8.self), palette: palette, rect: rect, canvas: canvas)
                    }
                }
            }
        }
    }

    /// Inflates one chunk of stream `stream`; it must yield exactly `expected` bytes.
    private func inflate(_ bytes: ByteBuffer, offset: Int, length: Int, stream: Int, expected: Int,
                         rect: Rect) throws(RectangleDecodingError) -> [UInt8] {
        let inflater = inflaters[stream]
        let result: Result<[UInt8], InflateStream.InflateError> = bytes.withUnsafeReadableBytes { all in
            let chunk = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
            do throws(InflateStream.InflateError) {
                return .success(try inflater.decompress(chunk, limit: expected))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let data):
            guard data.count == expected else {
                throw .malformed("Tight zlib data for \(rect) inflates to \(data.count) bytes, the filter needs \(expected)")
            }
            return data
        case .failure(.outputLimitExceeded):
            throw .malformed("Tight zlib data for \(rect) inflates past the \(expected) bytes the filter needs")
        case .failure(let error):
            throw .malformed("Tight zlib stream \(stream): \(error)")
        }
    }

    private mutating func decodeJPEG(_ bytes: ByteBuffer, offset: Int, length: Int, rect: Rect, pixels: TightPixels,
                                     into framebuffer: inout PixelBuffer) throws(RectangleDecodingError) {
        if jpeg == nil { jpeg = TightJPEGDecompressor() }
        guard let jpeg else { throw .malformed("Tight JPEG rect but libjpeg-turbo could not be initialised") }
        let stride = framebuffer.width
        var failure: String? = nil
        bytes.withUnsafeReadableBytes { all in
            let data = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
            framebuffer.withCanvas { canvas in
                failure = jpeg.decode(data, rect: rect, base: canvas.base, stride: stride)
            }
        }
        if let failure { throw .malformed("Tight \(failure)") }
        // libjpeg-turbo fills the X byte; canonical pixels keep it zero, and a viewer shows the
        // colours its own format can hold.
        let translator = pixels.isRGB888 ? nil : PixelTranslator(format: pixels.format)
        let format = pixels.format
        framebuffer.withCanvas { canvas in
            for y in rect.minY..<rect.maxY {
                let row = canvas.base + y * canvas.stride + rect.minX
                for x in 0..<rect.width {
                    let rgb = row[x] & 0x00ff_ffff
                    row[x] = translator.map { PixelTranslator.canonical(fromPixelValue: $0.pixelValue(rgb), format: format) } ?? rgb
                }
            }
        }
    }
}
