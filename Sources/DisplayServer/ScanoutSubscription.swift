import Display
import DisplayProtocol
import Geometry
import Pixels
import SystemIO

/// One consumer's subscription to an output (docs/protocol.md §6.2, §7.18, §7.19): a ring of
/// sealed memfds that each hold the whole picture, which buffers the consumer holds, what each
/// buffer lacks of the current picture, and the damage the consumer has not been told of yet.
///
/// Writing a buffer copies only what it lacks (`ScanoutBufferDamage`): the damage of every frame
/// published since that buffer was last written. A consumer that keeps up therefore costs a copy
/// of the damage per frame, not of the whole picture; new buffers (a subscription, a resize) are
/// written whole.
///
/// A buffer is written only while the consumer does not hold it. When it holds them all, frames
/// are skipped and their damage is merged, so a slow consumer costs one region, never a queue.
/// A FrameReady that still waits in the client's outbox (§12) has not reached the consumer, so a
/// newer frame is written into that same buffer and the outbox merges the two events.
///
/// It also remembers the cursor image the consumer was last told of (§7.20), so CursorImage goes
/// out only when the image changes, and FrameReady carries the cursor position, visibility and
/// whether a CursorImage came since the previous FrameReady (§7.19 flags).
final class ScanoutSubscription {
    static let bufferCount = 2
    /// Damage rects per FrameReady (§8); more are sent as their bounding box.
    static let maximumDamageRects = 256

    let output: OutputID
    let size: Size
    let stride: Int
    let bufferSize: Int
    private let memfds: [Memfd]
    private let mappings: [SharedMemoryMapping]
    /// The sequence each buffer was handed out with, while the consumer holds it.
    private var heldSequence: [UInt64?]
    /// What each buffer lacks of the newest scanout.
    private var bufferDamage: ScanoutBufferDamage
    /// The damage since the last FrameReady: what the next one reports (§7.19).
    private var pendingDamage: Region
    /// Bytes copied into the buffers so far, for tests and benchmarks.
    private(set) var bytesCopied = 0
    /// The cursor image the consumer was last sent; nil: none (or a 0 × 0 CursorImage).
    private(set) var announcedCursor: CursorImage?
    /// The sequence of a frame skipped because the consumer held every buffer; the next release
    /// brings it. nil when the last frame was handed out.
    private(set) var skippedSequence: UInt64?
    /// A CursorImage went out since the last FrameReady.
    private var cursorImageChangedSinceFrameReady = false

    /// Creates the buffers for a picture of `size`; the consumer gets them with ScanoutBuffers.
    /// A subscription that replaces `previous` (the output's size changed) keeps what the consumer
    /// knows of the cursor, since CursorImage does not depend on the buffers.
    init(output: OutputID, size: Size, replacing previous: ScanoutSubscription? = nil) throws(SystemError) {
        self.output = output
        self.size = size
        stride = max(1, size.width) * 4
        bufferSize = stride * max(1, size.height)
        var memfds: [Memfd] = []
        var mappings: [SharedMemoryMapping] = []
        for index in 0..<Self.bufferCount {
            let memfd = try Memfd.create(name: "porthole-scanout-\(output.rawValue)-\(index)", size: bufferSize)
            let mapping = try SharedMemoryMapping(fd: memfd.handle, length: bufferSize, access: .readWrite)
            // Consumers map read-only (§11): nobody may resize the memory or map it writable again.
            try memfd.seal([.shrink, .grow, .futureWrite, .seal])
            memfds.append(memfd)
            mappings.append(mapping)
        }
        self.memfds = memfds
        self.mappings = mappings
        heldSequence = Array(repeating: nil, count: Self.bufferCount)
        bufferDamage = ScanoutBufferDamage(bufferCount: Self.bufferCount, size: size)
        pendingDamage = Region(Rect(size: size))
        announcedCursor = previous?.announcedCursor
        cursorImageChangedSinceFrameReady = previous?.cursorImageChangedSinceFrameReady ?? false
    }

    /// The ScanoutBuffers event and its fds (§7.18).
    var buffersEvent: (ScanoutBuffersEvent, [FileDescriptorHandle]) {
        let handles = memfds.map(\.handle)
        let event = ScanoutBuffersEvent(outputID: output.rawValue, format: FourCC.xrgb8888.rawValue, width: UInt32(size.width),
                                        height: UInt32(size.height), stride: UInt32(stride), bufferSize: UInt32(bufferSize),
                                        fds: handles.map(\.rawValue))
        return (event, handles)
    }

    /// Records `cursor`'s image as the one the consumer knows. True when it differs from the last
    /// one, and a CursorImage must go out before the next FrameReady.
    func cursorImageChanged(to cursor: ExportedCursor?) -> Bool {
        guard cursor?.image != announcedCursor else { return false }
        announcedCursor = cursor?.image
        cursorImageChangedSinceFrameReady = true
        return true
    }

    /// Brings a buffer the consumer does not hold (or `pendingBuffer`, the buffer of a FrameReady
    /// that has not left the server yet) up to `scanout`, copying only what that buffer lacks, and
    /// returns the FrameReady for it with all damage since the last one; nil (and the damage kept)
    /// when every buffer is held.
    func publish(_ scanout: PixelBuffer, damage: Region, sequence: UInt64, cursor: ExportedCursor?,
                 pendingBuffer: UInt16? = nil) -> FrameReadyEvent? {
        let clipped = damage.intersection(Rect(size: size))
        pendingDamage.formUnion(clipped)
        bufferDamage.record(clipped)
        let free = pendingBuffer.map(Int.init).flatMap { heldSequence.indices.contains($0) ? $0 : nil }
            ?? heldSequence.firstIndex(where: { $0 == nil })
        guard scanout.size == size, let index = free, let target = mappings[index].mutableBytes else {
            skippedSequence = sequence
            return nil
        }
        skippedSequence = nil
        bytesCopied += Self.copy(bufferDamage.takeStaleRegion(of: index), of: scanout, into: target, stride: stride)
        heldSequence[index] = sequence
        var rects = pendingDamage.rects
        if rects.count > Self.maximumDamageRects { rects = [pendingDamage.bounds] }
        pendingDamage = Region()
        var flags: FrameReadyEvent.Flags = cursor == nil ? [] : .cursorVisible
        if cursorImageChangedSinceFrameReady { flags.insert(.cursorImageChanged) }
        cursorImageChangedSinceFrameReady = false
        // §7.19: the hotspot's position on the output; 0, 0 while no cursor is shown.
        return FrameReadyEvent(outputID: output.rawValue, sequence: sequence, bufferIndex: UInt16(index), flags: flags,
                               cursorX: Int32(clamping: cursor?.position.x ?? 0), cursorY: Int32(clamping: cursor?.position.y ?? 0),
                               damage: rects.map { WireRect(x: Int32($0.x), y: Int32($0.y), width: UInt32($0.width), height: UInt32($0.height)) })
    }

    /// Copies `region` of `scanout` into `target`, a buffer of the same size with `stride` bytes
    /// per row; returns the bytes copied. The X byte is cleared on the way: a lent scanout (a
    /// producer's framebuffer) keeps whatever the producer left in it.
    private static func copy(_ region: Region, of scanout: PixelBuffer, into target: UnsafeMutableRawBufferPointer, stride: Int) -> Int {
        scanout.withView { source in
            var copied = 0
            for rect in region.rects {
                for y in rect.minY..<rect.maxY {
                    PixelTranslator.copyClearingX(source.row(y) + rect.minX, count: rect.width,
                                                  into: target.baseAddress! + y * stride + rect.minX * 4)
                }
                copied += rect.width * 4 * rect.height
            }
            return copied
        }
    }

    /// FrameReleased (§6.7); a release naming another sequence is ignored. True when it freed a
    /// buffer.
    @discardableResult
    func release(bufferIndex: Int, sequence: UInt64) -> Bool {
        guard heldSequence.indices.contains(bufferIndex), heldSequence[bufferIndex] == sequence else { return false }
        heldSequence[bufferIndex] = nil
        return true
    }
}
