/// A producer-reported move in a Commit's plane state, 24 bytes (docs/protocol.md §5.8 "Commit",
/// version 1.2): +0 destination rect (i32 x, i32 y, u32 width, u32 height), +16 i32 source x,
/// +20 i32 source y, all in framebuffer pixels.
///
/// It promises that after the commit the plane's pixels in `destination` equal the pixels the
/// plane showed before it in the same-sized rect whose top-left is (`sourceX`, `sourceY`): a
/// scroll or a dragged window, which the server can forward to viewers as CopyRect instead of
/// pixels. The decoder takes any values; the server checks them against the framebuffer.
public struct WireMove: Hashable, Sendable {
    /// Where the moved pixels are now, in framebuffer pixels.
    public var destination: WireRect
    /// The top-left corner, in the plane's previous picture, of the pixels now in `destination`.
    public var sourceX: Int32
    public var sourceY: Int32

    public init(destination: WireRect, sourceX: Int32, sourceY: Int32) {
        self.destination = destination
        self.sourceX = sourceX
        self.sourceY = sourceY
    }

    static let wireSize = 24

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(destination: try WireRect(from: &reader), sourceX: try reader.readI32(), sourceY: try reader.readI32())
    }

    func write(to writer: inout WireWriter) {
        destination.write(to: &writer)
        writer.write(sourceX)
        writer.write(sourceY)
    }
}
