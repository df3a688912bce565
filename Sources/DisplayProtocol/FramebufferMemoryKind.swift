/// What kind of memory a framebuffer's fd refers to (docs/protocol.md §5.6 "CreateFramebuffer", §11 "Memory rules").
public enum FramebufferMemoryKind: UInt8, Hashable, Sendable, CaseIterable {
    /// A memfd sealed with at least F_SEAL_SHRINK.
    case sharedMemory = 1
    /// A dma-buf; the server reads it through mmap with DMA_BUF_IOCTL_SYNC around each read.
    case dmaBuf = 2
}
