import PortholeTestSupport
import Geometry
import Pixels
@testable import Display

/// Framebuffer memory the test can draw into after handing it to the device, as a producer
/// draws into a mapped buffer.
final class TestMemory: FramebufferMemory, @unchecked Sendable {
    var bytes: [UInt8]
    init(byteCount: Int) { bytes = [UInt8](repeating: 0, count: byteCount) }
    init(bytes: [UInt8]) { self.bytes = bytes }
    var byteCount: Int { bytes.count }
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try bytes.withUnsafeBytes(body) }
}

/// Writes one pixel given as `0xAARRGGBB` into memory laid out in `format`.
func store(_ argb: UInt32, format: FourCC, in memory: TestMemory, at offset: Int) {
    let a = UInt8(argb >> 24), r = UInt8((argb >> 16) & 0xff), g = UInt8((argb >> 8) & 0xff), b = UInt8(argb & 0xff)
    switch format {
    case .xrgb8888, .argb8888: memory.bytes.replaceSubrange(offset..<offset + 4, with: [b, g, r, a])
    case .xbgr8888, .abgr8888: memory.bytes.replaceSubrange(offset..<offset + 4, with: [r, g, b, a])
    case .rgb565:
        let v = UInt16(r >> 3) << 11 | UInt16(g >> 2) << 5 | UInt16(b >> 3)
        memory.bytes.replaceSubrange(offset..<offset + 2, with: [UInt8(v & 0xff), UInt8(v >> 8)])
    }
}

/// A framebuffer filled from `pixels` (`0xAARRGGBB`, row by row), with its memory.
func makeFramebuffer(_ id: UInt32, format: FourCC, width: Int, height: Int, pixels: [UInt32],
                     padding: Int = 0, offset: Int = 0) -> (Framebuffer, TestMemory) {
    let stride = width * format.bytesPerPixel + padding
    let memory = TestMemory(byteCount: offset + stride * height)
    for y in 0..<height {
        for x in 0..<width { store(pixels[y * width + x], format: format, in: memory, at: offset + y * stride + x * format.bytesPerPixel) }
    }
    let descriptor = FramebufferDescriptor(format: format, width: width, height: height, stride: stride, offset: offset)
    let framebuffer = try! Framebuffer(id: FramebufferID(id), descriptor: descriptor, memory: memory)
    return (framebuffer, memory)
}

/// What a viewer holding `previous` shows after `damage` with pixels from `current`: the moves
/// applied in order, then the region copied (the model every damage test checks against).
func viewerPicture(from previous: PixelBuffer, applying damage: FrameDamage, from current: PixelBuffer) -> PixelBuffer {
    var picture = previous
    for move in damage.moves { picture.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin) }
    for r in damage.region.intersection(current.bounds).rects { picture.blit(current.cropped(to: r), at: r.origin) }
    return picture
}

/// A device with two producers (A and B), each with one 8x6 output and one XR24 framebuffer of
/// the output's size, and one consumer.
struct Rig {
    var device = Device()
    let producerA: ClientID, producerB: ClientID, consumer: ClientID
    let outputA: DisplayOutput, outputB: DisplayOutput
    let framebufferA: FramebufferID, framebufferB: FramebufferID
    static let size = Size(width: 8, height: 6)
    static let tokenA = LeaseToken(high: 1, low: 1), tokenB = LeaseToken(high: 2, low: 2)

    init(limits: DeviceLimits = DeviceLimits()) {
        device = Device(limits: limits)
        consumer = device.connectConsumer()
        producerA = try! device.connectProducer(presenting: nil, freshToken: Self.tokenA).0.client
        producerB = try! device.connectProducer(presenting: nil, freshToken: Self.tokenB).0.client
        let mode = DisplayMode(width: Self.size.width, height: Self.size.height)
        outputA = try! device.createOutput(OutputRequest(name: "A-1", modes: [mode]), by: producerA).output
        outputB = try! device.createOutput(OutputRequest(name: "B-1", modes: [mode]), by: producerB).output
        framebufferA = try! device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6),
                                                 memory: ByteArrayMemory(byteCount: 8 * 6 * 4), by: producerA)
        framebufferB = try! device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6),
                                                 memory: ByteArrayMemory(byteCount: 8 * 6 * 4), by: producerB)
    }

    /// Another full-size XR24 framebuffer of producer A.
    mutating func addFramebufferA(memory: any FramebufferMemory = ByteArrayMemory(byteCount: 8 * 6 * 4)) -> FramebufferID {
        try! device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6), memory: memory, by: producerA)
    }

    /// A commit that shows `framebuffer` full screen on output A's primary plane and enables it.
    func showOnA(_ framebuffer: FramebufferID, damage: [Rect]? = nil, userData: UInt64 = 0) -> AtomicCommit {
        AtomicCommit(planes: [.init(plane: outputA.primaryPlane, state: PlaneState(framebuffer: framebuffer, size: Self.size), damage: damage)],
                     outputs: [.init(output: outputA.id, enabled: true)], userData: userData)
    }
}
