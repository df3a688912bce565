import Display
import Geometry
import NIOCore
import Pixels
import RFB

/// Turns one viewer's pending changes into a complete FramebufferUpdate message (RFC 6143 §7.6.1):
/// CopyRect rectangles for moves first, then the damaged pixels in the viewer's preferred encoding.
///
/// It owns that viewer's encoder values (and with them their zlib streams), created on first use,
/// so each connection keeps its own compression state across updates.
public struct FramebufferUpdateEncoder {
    /// Encodings in the viewer's order of preference (from SetEncodings).
    public private(set) var preferredEncoding: Encoding = .raw
    public private(set) var copyRectAllowed = false
    public private(set) var compressLevel: Int? = nil
    private var encoders: [Encoding: any FramebufferEncoder] = [:]
    private let makeEncoder: (Encoding) -> (any FramebufferEncoder)?

    /// `makeEncoder` returns a new encoder for an encoding the server implements (Raw at least),
    /// nil otherwise.
    public init(makeEncoder: @escaping (Encoding) -> (any FramebufferEncoder)?) {
        self.makeEncoder = makeEncoder
    }

    /// Applies the viewer's SetEncodings preferences (RFC 6143 §7.5.2), which already name the
    /// first encoding in the viewer's order that the server implements.
    public mutating func configure(_ preferences: EncodingPreferences) {
        preferredEncoding = makeEncoder(preferences.preferred) != nil ? preferences.preferred : .raw
        copyRectAllowed = preferences.copyRect
        compressLevel = preferences.compressLevel
        for key in Array(encoders.keys) { encoders[key]!.setCompressLevel(compressLevel) }
    }

    /// Encodes an update and returns the message, or nil when there is nothing to send.
    public mutating func encodeUpdate(copies: [CopyMove], damage: Region, frame: PixelView,
                                      translator: PixelTranslator) -> ByteBuffer? {
        var message = ByteBuffer()
        let rects = Self.batch(damage)
        if copies.isEmpty && rects.isEmpty { return nil }
        // RFC 6143 §7.6.1: message-type 0, padding, number-of-rectangles (patched below).
        message.writeInteger(UInt8(0))
        message.writeInteger(UInt8(0))
        let countIndex = message.writerIndex
        message.writeInteger(UInt16(0))
        var count = 0
        for copy in copies {
            if copyRectAllowed {
                count += CopyRectEncoder.encode(destination: copy.destination, source: copy.source, into: &message)
            } else {
                count += encode(copy.destination, frame: frame, translator: translator, into: &message)
            }
        }
        for rect in rects {
            count += encode(rect, frame: frame, translator: translator, into: &message)
        }
        precondition(count <= Int(UInt16.max), "an update never carries more than 65535 rectangles")
        message.setInteger(UInt16(count), at: countIndex)
        return message
    }

    private mutating func encode(_ rect: Rect, frame: PixelView, translator: PixelTranslator, into out: inout ByteBuffer) -> Int {
        let encoding = preferredEncoding
        if encoders[encoding] == nil {
            guard var made = makeEncoder(encoding) else { preconditionFailure("\(encoding) was chosen but cannot be made") }
            made.setCompressLevel(compressLevel)
            encoders[encoding] = made
        }
        return encoders[encoding]!.encode(rect, of: frame, translator: translator, into: &out)
    }

    /// Chooses the rectangles to send for a damage region: the region's own rectangles, merged into
    /// their bounding box when that adds little area, and coarsened to 64-pixel tiles when a region
    /// has so many small pieces that per-rectangle overhead would dominate.
    static func batch(_ damage: Region) -> [Rect] {
        if damage.isEmpty { return [] }
        let bounds = damage.bounds
        let area = damage.area
        if bounds.area <= area + area / 2 || damage.rects.count == 1 { return [bounds] }
        if damage.rects.count <= 256 { return damage.rects }
        var coarse = Region()
        for tile in bounds.tiles(width: 64, height: 64) where !damage.intersection(tile).isEmpty {
            coarse.formUnion(tile)
        }
        return coarse.rects.flatMap { $0.tiles(width: bounds.width, height: 64) }
    }
}
