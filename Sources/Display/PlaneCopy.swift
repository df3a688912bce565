import Geometry

/// The server's own pixels for a plane that shows a copy-path framebuffer (docs/protocol.md §11
/// "Copy path"): the framebuffer as it was at the frame tick that applied it, packed (stride =
/// width × bytes per pixel, offset 0). The composer reads this instead of the producer's memory,
/// which is released at that tick.
///
/// The copy belongs to the plane rather than to the framebuffer, because a commit's damage is
/// frame damage (§5.8): it says what changed since the plane's previous frame, whichever
/// framebuffer showed it. So a plane that swaps between two copy-path framebuffers, or shows one
/// again after the producer drew into it, needs only the damage copied on top of what the plane
/// showed; everything else is copied whole.
struct PlaneCopy: Sendable {
    /// The framebuffer the copy was taken from (it may since have been destroyed).
    private(set) var source: FramebufferID
    let owner: ClientID
    let format: FourCC
    let width: Int
    let height: Int
    private var bytes: [UInt8]

    /// A whole copy of `framebuffer`.
    init(of framebuffer: Framebuffer) {
        source = framebuffer.id
        owner = framebuffer.owner
        format = framebuffer.format
        width = framebuffer.width
        height = framebuffer.height
        bytes = [UInt8](repeating: 0, count: width * height * format.bytesPerPixel)
        _ = copy(Rect(x: 0, y: 0, width: width, height: height), from: framebuffer)
    }

    var rowBytes: Int { width * format.bytesPerPixel }
    var byteCount: Int { bytes.count }

    /// True when damage of `framebuffer` can be copied over this copy: same size and format.
    func isCompatible(with framebuffer: Framebuffer) -> Bool {
        framebuffer.width == width && framebuffer.height == height && framebuffer.format == format
    }

    /// Copies `rects` (framebuffer pixels, clipped to it) of `framebuffer`, which must be
    /// compatible, and makes it the copy's source. Returns the bytes copied.
    @discardableResult
    mutating func update(_ rects: [Rect], from framebuffer: Framebuffer) -> Int {
        source = framebuffer.id
        return Region(rects: rects).rects.reduce(0) { $0 + copy($1, from: framebuffer) }
    }

    /// Copies one rect row by row out of the framebuffer's layout into the packed copy.
    private mutating func copy(_ rect: Rect, from framebuffer: Framebuffer) -> Int {
        let r = rect.intersection(Rect(x: 0, y: 0, width: width, height: height))
        guard !r.isEmpty, framebuffer.memory.byteCount >= framebuffer.descriptor.requiredByteCount else { return 0 }
        let bpp = format.bytesPerPixel, stride = framebuffer.descriptor.stride, offset = framebuffer.descriptor.offset
        let packedStride = rowBytes, count = r.width * bpp
        framebuffer.memory.withUnsafeBytes { from in
            bytes.withUnsafeMutableBytes { to in
                for y in r.minY..<r.maxY {
                    (to.baseAddress! + y * packedStride + r.minX * bpp)
                        .copyMemory(from: from.baseAddress! + offset + y * stride + r.minX * bpp, byteCount: count)
                }
            }
        }
        return count * r.height
    }

    /// The copy as a framebuffer for the composer: the source's id, owner and format over the
    /// copied bytes (shared, not copied again).
    var framebuffer: Framebuffer {
        let descriptor = FramebufferDescriptor(format: format, width: width, height: height)
        return Framebuffer(id: source, owner: owner, descriptor: descriptor, format: format,
                           memory: ByteArrayMemory(bytes: bytes), path: .copy)
    }
}
