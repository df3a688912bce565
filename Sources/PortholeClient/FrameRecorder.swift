import DisplayProtocol
import SystemIO

/// A consumer of one output (docs/protocol.md §6): it subscribes, maps each ScanoutBuffers set
/// read-only (§7.18), copies the picture out of the buffer each FrameReady names (§7.19) and
/// sends FrameReleased at once (§6.7), so it holds a buffer only while it copies. It keeps the
/// latest CursorImage (§7.20) and hands it out with each frame at FrameReady's cursor position.
/// `porthole record` runs it.
public final class FrameRecorder {
    public let client: DisplayClient
    public let output: OutputListing
    private var buffers: [SharedMemoryMapping] = []
    private var layout: ScanoutBuffersEvent?
    /// The output's cursor image, from the latest CursorImage; nil: none.
    public private(set) var cursorPicture: CursorPicture?

    /// Finds the output named by `selector` (its id, or its name) among ListOutputs' entries and
    /// subscribes to it.
    public init(client: DisplayClient, selector: String) throws(DisplayClientError) {
        self.client = client
        let reply = try client.request(.listOutputs)
        guard case .outputs(let listings) = reply else { throw .unexpectedReply(reply) }
        let match = listings.first { UInt32(selector) == $0.outputID } ?? listings.first { $0.name == selector }
        guard let match else {
            let known = listings.map { "\($0.outputID) \"\($0.name)\"" }.joined(separator: ", ")
            throw .noSuchOutput(selector: selector, known: known)
        }
        output = match
        let subscribed = try client.request(.subscribe(outputID: match.outputID))
        guard case .subscribed = subscribed else { throw .unexpectedReply(subscribed) }
    }

    /// Waits at most `timeout` seconds for the next frame. Returns nil when the output was removed
    /// (§7.15); throws `timedOut` when no frame came.
    public func nextFrame(timeout: Double) throws(DisplayClientError) -> RecordedFrame? {
        let deadline = DisplayClient.now() + timeout
        while true {
            let remaining = deadline - DisplayClient.now()
            guard remaining > 0, let event = try client.nextEvent(timeout: remaining) else { throw .timedOut("a FrameReady") }
            switch event {
            case .scanoutBuffers(let set) where set.outputID == output.outputID:
                try adopt(set)
            case .cursorImage(let image) where image.outputID == output.outputID:
                cursorPicture = try CursorPicture.read(image)
            case .scanoutBuffers, .cursorImage:
                Self.close(event.fds)
            case .frameReady(let ready) where ready.outputID == output.outputID:
                let frame = try copy(ready)
                try client.send(.frameReleased(outputID: ready.outputID, bufferIndex: ready.bufferIndex, sequence: ready.sequence))
                return frame
            case .outputRemoved(let id) where id == output.outputID:
                return nil
            default:
                continue
            }
        }
    }

    private func adopt(_ set: ScanoutBuffersEvent) throws(DisplayClientError) {
        buffers = []
        layout = set
        // The mappings outlive the fds: each fd is closed once mapped, as §7.18 allows.
        let handles = set.fds.map { FileDescriptorHandle(adopting: $0) }
        defer { for handle in handles { try? handle.close() } }
        guard set.format == 0x3432_5258, set.stride >= set.width * 4,
              Int(set.bufferSize) >= Int(set.stride) * Int(set.height) else {
            throw .unexpectedReply(.scanoutBuffers(set))
        }
        for handle in handles {
            do {
                buffers.append(try SharedMemoryMapping(fd: handle, length: Int(set.bufferSize), access: .readOnly))
            } catch {
                throw .system(error)
            }
        }
    }

    private func copy(_ ready: FrameReadyEvent) throws(DisplayClientError) -> RecordedFrame {
        guard let layout, Int(ready.bufferIndex) < buffers.count else { throw .unexpectedReply(.frameReady(ready)) }
        let width = Int(layout.width), height = Int(layout.height), stride = Int(layout.stride)
        let bytes = buffers[Int(ready.bufferIndex)].bytes
        var pixels = [UInt32](repeating: 0, count: width * height)
        pixels.withUnsafeMutableBytes { target in
            for y in 0..<height {
                let row = UnsafeRawBufferPointer(rebasing: bytes[(y * stride)..<(y * stride + width * 4)])
                UnsafeMutableRawBufferPointer(rebasing: target[(y * width * 4)..<((y + 1) * width * 4)]).copyMemory(from: row)
            }
        }
        for i in pixels.indices { pixels[i] &= 0x00ff_ffff }
        let cursor = ready.flags.contains(.cursorVisible) ? cursorPicture.map {
            RecordedFrame.Cursor(picture: $0, x: Int(ready.cursorX), y: Int(ready.cursorY))
        } : nil
        return RecordedFrame(outputID: ready.outputID, sequence: ready.sequence, width: width, height: height,
                             pixels: pixels, damage: ready.damage, cursor: cursor)
    }

    private static func close(_ fds: [Int32]) {
        for fd in fds { try? FileDescriptorHandle(adopting: fd).close() }
    }
}
