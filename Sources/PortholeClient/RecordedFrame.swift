import DisplayProtocol

/// One frame a consumer received (docs/protocol.md §7.19): the output's whole picture at
/// `sequence`, copied out of the scanout buffer before it was released.
public struct RecordedFrame: Sendable {
    public var outputID: UInt32
    public var sequence: UInt64
    public var width: Int
    public var height: Int
    /// Row after row, `0x00RRGGBB` (XR24 with the X byte cleared).
    public var pixels: [UInt32]
    /// What changed since the previous frame this consumer got.
    public var damage: [WireRect]
    /// The cursor, when the output shows one (§7.19 flag bit 1): its latest image (§7.20) and the
    /// hotspot's position on the output. The picture itself never contains it.
    public var cursor: Cursor?

    public struct Cursor: Equatable, Sendable {
        public var picture: CursorPicture
        public var x: Int
        public var y: Int
    }

    /// The frame in XR24 byte order (B, G, R, X per pixel), rows packed: `porthole record --raw`.
    public var xr24Bytes: [UInt8] {
        pixels.withUnsafeBytes { Array($0) }
    }
}
