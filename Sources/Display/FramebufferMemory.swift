/// The bytes behind a framebuffer. The model never opens, maps or unmaps anything: the edge
/// implements this with a read-only mmap of a sealed memfd or a dma-buf, tests and the copy path
/// with an array. The bytes may change between commits (the producer draws into released
/// buffers), but the byte count must not: shm memory is sealed against shrinking for that reason.
public protocol FramebufferMemory: Sendable {
    /// Size of the memory in bytes; a framebuffer's layout is checked against it at creation.
    var byteCount: Int { get }
    /// Lends the bytes for reading. They must stay valid and at least `byteCount` long for the call.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// The bytes where they stay for as long as `owner` lives, readable without a bracket around
    /// each read: a sealed memfd's mapping. `nil` where reads must go through `withUnsafeBytes`
    /// (a dma-buf's sync ioctls) or the bytes may move (an array). The composer lends such memory
    /// to viewers as the scanout instead of copying it (`Composer`, "Zero-copy scanout").
    var lendableBytes: (bytes: UnsafeRawBufferPointer, owner: AnyObject)? { get }
}

extension FramebufferMemory {
    public var lendableBytes: (bytes: UnsafeRawBufferPointer, owner: AnyObject)? { nil }
}

/// Framebuffer memory held in an array: what the copy path (a producer that cannot hold buffers,
/// or the bridge) stores after copying a producer's pixels, and what tests use.
public struct ByteArrayMemory: FramebufferMemory {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(byteCount: Int) { bytes = [UInt8](repeating: 0, count: byteCount) }
    public var byteCount: Int { bytes.count }
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }
}
