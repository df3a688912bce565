import DisplayProtocol
import SystemIO

/// A producer that shows an animated test pattern on one output of its own: a static gradient,
/// a square that bounces across it and a bar that fills along the bottom. It draws into released
/// memfd framebuffers only, commits each frame with the damage that frame changed, and paces
/// itself on page flips (docs/protocol.md §12). A viewer's resize (LayoutRequest, §7.11) is
/// followed: new framebuffers of the new size, and a commit that changes the output's mode.
/// With `copy` it uses one framebuffer on the copy path (§11): the server copies each frame's
/// damage at the tick and releases the buffer at once, so it is drawn again for the next frame.
/// What `porthole produce` runs.
public final class PatternProducer {
    public struct Statistics: Sendable {
        public var frames = 0
        public var releases = 0
        public var resizes = 0
    }

    public static let squareSide = 64
    static let barHeight = 8
    static let bufferCount = 3
    /// On the copy path: one buffer, the server's copy is shown while it is drawn.
    static let copyBufferCount = 1

    private let client: DisplayClient
    public let output: OutputCreatedReply
    private var width: UInt32
    private var height: UInt32
    private let refreshMillihertz: UInt32
    /// Framebuffers take the copy path (§11).
    public let copy: Bool
    private var buffers: [(buffer: ProducerBuffer, framebuffer: UInt32)] = []
    private var free: Set<UInt32> = []
    /// Framebuffers of an older size, destroyed once the server releases them.
    private var retired: Set<UInt32> = []
    private var previousSquare: WireRect?
    /// Set by a resize: the next commit changes the output's mode and damages everything.
    private var modeChanged = false
    public private(set) var statistics = Statistics()

    /// Creates the output and its framebuffers.
    public init(client: DisplayClient, name: String, width: UInt32, height: UInt32, refreshMillihertz: UInt32, copy: Bool = false) throws {
        self.client = client
        self.copy = copy
        self.width = width
        self.height = height
        self.refreshMillihertz = refreshMillihertz
        output = try client.createOutput(name: name, width: width, height: height, refreshMillihertz: refreshMillihertz)
        try makeBuffers()
    }

    /// Shows `frameCount` frames (0: until the connection ends), one per page flip.
    public func run(frameCount: Int) throws {
        var frame = 0
        var first = true
        while frameCount == 0 || frame < frameCount {
            try handleEvents(wait: false)
            guard let framebuffer = try free.min() ?? waitForFree() else { continue }
            free.remove(framebuffer)
            guard let index = buffers.firstIndex(where: { $0.framebuffer == framebuffer }) else { continue }
            let square = draw(frame: frame, into: buffers[index].buffer)
            var damage = [square, barRect]
            if let previousSquare { damage.append(previousSquare) }
            previousSquare = square
            let plane = CommitPlaneState(planeID: output.primaryPlaneID, framebufferID: framebuffer,
                                         source: WireFixedRect(x: 0, y: 0, width: width << 16, height: height << 16),
                                         destination: WireRect(x: 0, y: 0, width: width, height: height),
                                         damage: first || modeChanged ? [] : damage)
            var outputs: [CommitOutputState] = []
            if modeChanged {
                outputs.append(CommitOutputState(outputID: output.outputID, changes: .mode,
                                                 mode: WireMode(width: width, height: height, refreshMillihertz: refreshMillihertz)))
            }
            let request = try client.commit(CommitRequest(flags: .pageFlipEvent, outputs: outputs, planes: [plane]))
            first = false
            modeChanged = false
            _ = try client.waitForPageFlip(output: output.outputID, commitRequestID: request)
            statistics.frames += 1
            frame += 1
        }
    }

    /// Waits for a Release; nil when a resize made new buffers meanwhile.
    private func waitForFree() throws -> UInt32? {
        while free.isEmpty {
            if try handleEvents(wait: true) { return nil }
        }
        return free.min()
    }

    /// Takes queued Release and LayoutRequest events (waiting up to a second for one when `wait`).
    /// Returns true when the buffers were remade for a new size.
    @discardableResult
    private func handleEvents(wait: Bool) throws -> Bool {
        var events = client.takeEvents { _ in true }
        if events.isEmpty, wait, let event = try client.nextEvent(timeout: 1) { events = [event] }
        var resized = false
        for event in events {
            switch event {
            case .release(let id):
                statistics.releases += 1
                if retired.remove(id) != nil {
                    _ = try client.request(.destroyFramebuffer(framebufferID: id))
                } else {
                    free.insert(id)
                }
            case .layoutRequest(let entries):
                guard let entry = entries.last(where: { $0.outputID == output.outputID }),
                      entry.width != width || entry.height != height,
                      (1...8192).contains(entry.width), (1...8192).contains(entry.height) else { continue }
                width = entry.width
                height = entry.height
                // The on-screen buffers are released once the new size is up; free ones go now.
                for id in free { _ = try client.request(.destroyFramebuffer(framebufferID: id)) }
                retired.formUnion(buffers.map(\.framebuffer).filter { !free.contains($0) })
                free = []
                buffers = []
                previousSquare = nil
                try makeBuffers()
                statistics.resizes += 1
                modeChanged = true
                resized = true
            default:
                break
            }
        }
        return resized
    }

    private func makeBuffers() throws {
        for _ in 0..<(copy ? Self.copyBufferCount : Self.bufferCount) {
            let buffer = try ProducerBuffer(width: width, height: height)
            let id = try client.createFramebuffer(buffer, copy: copy)
            buffers.append((buffer, id))
            free.insert(id)
        }
    }

    private var barRect: WireRect {
        let bar = UInt32(min(Self.barHeight, Int(height)))
        return WireRect(x: 0, y: Int32(height - bar), width: width, height: bar)
    }

    /// Draws frame `frame` whole and returns where the square is.
    private func draw(frame: Int, into buffer: ProducerBuffer) -> WireRect {
        let w = Int(width), h = Int(height)
        let side = min(Self.squareSide, w, h)
        let travelX = max(1, w - side), travelY = max(1, h - side - Self.barHeight)
        let step = frame * 4
        let x = (step / travelX) % 2 == 0 ? step % travelX : travelX - step % travelX
        let y = (frame * 3 / travelY) % 2 == 0 ? (frame * 3) % travelY : travelY - (frame * 3) % travelY
        let filled = w * (frame % 120) / 119
        let barTop = h - min(Self.barHeight, h)
        buffer.withPixels { pixels in
            for row in 0..<h {
                let base = row * w
                for column in 0..<w {
                    let pixel: UInt32
                    if row >= barTop {
                        pixel = column < filled ? 0x0088_c0d0 : 0x0030_3440
                    } else if column >= x && column < x + side && row >= y && row < y + side {
                        pixel = 0x00eb_cb8b
                    } else {
                        pixel = UInt32(column * 255 / max(1, w - 1)) << 16 | UInt32(row * 255 / max(1, h - 1)) << 8 | 0x60
                    }
                    pixels[base + column] = pixel
                }
            }
        }
        return WireRect(x: Int32(x), y: Int32(y), width: UInt32(side), height: UInt32(side))
    }
}
