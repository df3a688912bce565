/// A framebuffer the device holds: its validated layout, the memory behind it and its owner.
/// Only the owner may put it on a plane. A zero-copy framebuffer is released (a release event) when
/// it is no longer on any plane nor in any pending commit; a copy-path one as soon as the frame tick
/// that applied it copied it (docs/protocol.md §11).
public struct Framebuffer: Sendable {
    public let id: FramebufferID
    public let owner: ClientID
    public let descriptor: FramebufferDescriptor
    /// Known because the descriptor was validated.
    public let format: FourCC
    public let memory: any FramebufferMemory
    public let path: FramebufferPath

    init(id: FramebufferID, owner: ClientID, descriptor: FramebufferDescriptor, format: FourCC, memory: any FramebufferMemory,
         path: FramebufferPath = .zeroCopy) {
        self.id = id; self.owner = owner; self.descriptor = descriptor; self.format = format; self.memory = memory; self.path = path
    }

    /// A framebuffer outside any device, for composing pictures directly (tests, mirrors, the
    /// copy path). Validates like the device does.
    public init(id: FramebufferID, owner: ClientID = ClientID(0), descriptor: FramebufferDescriptor,
                memory: any FramebufferMemory, path: FramebufferPath = .zeroCopy,
                maximumSize: Int = DeviceLimits().maximumSize) throws(DisplayError) {
        try descriptor.validate(as: id, memoryByteCount: memory.byteCount, maximumSize: maximumSize)
        self.init(id: id, owner: owner, descriptor: descriptor, format: descriptor.format!, memory: memory, path: path)
    }

    public var width: Int { descriptor.width }
    public var height: Int { descriptor.height }
}
