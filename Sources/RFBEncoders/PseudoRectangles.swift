import NIOCore

/// Pseudo-rectangles (cursor shape and position, extension confirmations, desktop size) collected
/// for the next FramebufferUpdate. They carry no pixels, so they lead the update and count in its
/// number-of-rectangles like any other rectangle (rfbproto "Pseudo-encodings").
public struct PseudoRectangles: Sendable {
    public private(set) var bytes = ByteBuffer()
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Adds one pseudo-rectangle, written (header and payload) by `write`.
    public mutating func append(_ write: (inout ByteBuffer) -> Void) {
        write(&bytes)
        count += 1
    }

    public mutating func removeAll() { self = PseudoRectangles() }
}
