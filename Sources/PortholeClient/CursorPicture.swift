import DisplayProtocol
import SystemIO

/// An output's cursor image as a consumer receives it (docs/protocol.md §7.20), with its pixels
/// read out of the message or out of its memfd. The server leaves the cursor plane out of the
/// scanout; a consumer that wants the pointer in its picture draws this at FrameReady's cursor
/// position (§7.19).
public struct CursorPicture: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// The pixel that sits at the pointer position.
    public var hotspotX: Int
    public var hotspotY: Int
    /// Row after row, `0xAARRGGBB` with straight alpha (AR24 read as little-endian u32).
    public var argb: [UInt32]

    public init(width: Int, height: Int, hotspotX: Int, hotspotY: Int, argb: [UInt32]) {
        precondition(argb.count == width * height, "a cursor needs width × height pixels")
        self.width = width
        self.height = height
        self.hotspotX = hotspotX
        self.hotspotY = hotspotY
        self.argb = argb
    }

    /// The picture `event` carries; nil for 0 × 0 (the output shows no cursor). A memfd is checked
    /// (a memfd sealed against shrinking, or a dma-buf, of at least width × height × 4 bytes, §11)
    /// before it is mapped, and closed afterwards.
    public static func read(_ event: CursorImageEvent) throws(DisplayClientError) -> CursorPicture? {
        let width = Int(event.width), height = Int(event.height), byteCount = width * height * 4
        let bytes: [UInt8]
        switch event.pixels {
        case .inline(let inline):
            bytes = inline
        case .memfd(let fd):
            let handle = FileDescriptorHandle(adopting: fd)
            defer { try? handle.close() }
            guard byteCount > 0 else { return nil }
            do {
                let (mapping, _) = try SharedMemoryMapping.map(validating: handle, requiredSize: byteCount)
                bytes = Array(mapping.bytes)
            } catch .system(let error) {
                throw .system(error)
            } catch {
                throw .unexpectedReply(.cursorImage(event))
            }
        }
        guard width > 0, height > 0 else { return nil }
        guard bytes.count == byteCount else { throw .unexpectedReply(.cursorImage(event)) }
        var argb = [UInt32](repeating: 0, count: width * height)
        argb.withUnsafeMutableBytes { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
        return CursorPicture(width: width, height: height, hotspotX: Int(event.hotspotX), hotspotY: Int(event.hotspotY), argb: argb)
    }
}
