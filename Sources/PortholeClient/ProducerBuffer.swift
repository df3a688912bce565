import DisplayProtocol
import SystemIO

/// A framebuffer's memory as a producer holds it (docs/protocol.md §11): a memfd of
/// `stride * height` bytes, sealed against shrinking and growing, mapped read-write for drawing.
/// Draw only while the server does not read it: before its first commit, and after its Release.
public final class ProducerBuffer {
    public let memfd: Memfd
    public let mapping: SharedMemoryMapping
    public let format: UInt32
    public let width: UInt32
    public let height: UInt32
    public let stride: UInt32

    /// An XRGB8888 (or other 4-byte format) buffer of `width` x `height`.
    public init(width: UInt32, height: UInt32, format: UInt32 = 0x3432_5258, bytesPerPixel: UInt32 = 4) throws(SystemError) {
        precondition(width > 0 && height > 0 && width <= 16384 && height <= 16384, "framebuffer size out of range")
        self.width = width
        self.height = height
        self.format = format
        stride = width * bytesPerPixel
        let size = Int(stride) * Int(height)
        memfd = try Memfd.create(name: "porthole-producer", size: size)
        try memfd.seal([.shrink, .grow])
        mapping = try SharedMemoryMapping(fd: memfd.handle, length: size, access: .readWrite)
    }

    /// The pixels as 32-bit words (`0xXXRRGGBB` for XR24), row after row with `stride / 4` words
    /// a row.
    public func withPixels<R>(_ body: (UnsafeMutableBufferPointer<UInt32>) throws -> R) rethrows -> R {
        let bytes = mapping.mutableBytes!
        return try body(bytes.bindMemory(to: UInt32.self))
    }
}
