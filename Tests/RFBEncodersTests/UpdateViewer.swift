import Geometry
import NIOCore
import Pixels
import RFB
import RFBClient
import Testing

/// A viewer's side of a run of FramebufferUpdate messages (RFC 6143 §7.6.1) with the client's own
/// decoders, one set for the whole connection as a real viewer keeps them (ZRLE's and Tight's zlib
/// streams carry over from update to update).
struct UpdateViewer {
    /// One rectangle as received: its header, and the first payload byte (Tight's control byte).
    struct Received {
        var rect: Rect
        var encoding: Encoding
        var firstByte: UInt8?
    }

    var decoders = DecoderRegistry.all()
    var framebuffer: PixelBuffer
    let format: PixelFormat

    init(size: Size, format: PixelFormat, fill: UInt32 = 0x00c0_ffee) {
        framebuffer = PixelBuffer(width: size.width, height: size.height, fill: fill)
        self.format = format
    }

    /// Decodes one whole message, which must hold exactly one FramebufferUpdate. With
    /// `byteByByte`, each rectangle's payload is offered to its decoder one more byte at a time,
    /// as a slow connection would deliver it; every attempt before the last must ask for more.
    ///
    /// `pieceBytes` offers each rectangle in pieces of that many bytes more at a time instead
    /// (every `pieceBytes`-th split point), for rectangles too large to retry at every byte: each
    /// attempt decodes the rectangle from its start, so byte by byte costs the square of its size.
    mutating func apply(_ message: ByteBuffer, byteByByte: Bool = false, pieceBytes: Int? = nil) throws -> [Received] {
        let piece = pieceBytes ?? (byteByByte ? 1 : nil)
        var message = message
        let type = message.readInteger(as: UInt8.self)
        #expect(type == 0, "not a FramebufferUpdate")
        message.moveReaderIndex(forwardBy: 1)
        let header = message.readInteger(as: UInt16.self)
        let count = Int(try #require(header))
        var received: [Received] = []
        for _ in 0..<count {
            let header = try #require(RoundTrip.readHeader(&message))
            if header.encoding == .lastRect { break }
            let first = message.getInteger(at: message.readerIndex, as: UInt8.self)
            var decoder = try #require(decoders[header.encoding], "no decoder for \(header.encoding)")
            if let piece {
                var offered = 0
                while true {
                    var part = message.getSlice(at: message.readerIndex, length: offered)!
                    let outcome = Self.attempt(&decoder, header.rect, from: &part, format: format, into: &framebuffer)
                    if outcome == nil {
                        message.moveReaderIndex(forwardBy: part.readerIndex)
                        break
                    }
                    guard outcome == .needMoreData else { throw outcome! }
                    #expect(part.readerIndex == 0, "needMoreData consumed bytes")
                    guard offered < message.readableBytes else { throw RectangleDecodingError.needMoreData }
                    offered = min(offered + piece, message.readableBytes)
                }
            } else {
                try decoder.decode(header.rect, from: &message, format: format, into: &framebuffer)
            }
            decoders[header.encoding] = decoder
            received.append(Received(rect: header.rect, encoding: header.encoding, firstByte: first))
        }
        #expect(message.readableBytes == 0, "\(message.readableBytes) bytes after the last rectangle")
        return received
    }

    /// One decode attempt: nil when it succeeded, else its error.
    private static func attempt(_ decoder: inout any RectangleDecoder, _ rect: Rect, from input: inout ByteBuffer, format: PixelFormat,
                                into framebuffer: inout PixelBuffer) -> RectangleDecodingError? {
        do {
            try decoder.decode(rect, from: &input, format: format, into: &framebuffer)
            return nil
        } catch {
            return error
        }
    }
}
