// libFuzzer harness: a producer's requests, decoded from its bytes, through the display device's
// model as the server applies them (docs/protocol.md §5): outputs, planes, framebuffers in
// memory, and commits (with their damage and moves) that each frame tick applies and the
// composer draws. Any input must end in replies or errors, never in a trap.
// Built and run by scripts/fuzz.sh; see docs/testing.md, "Fuzzing".
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import NIOCore

/// Small outputs and framebuffers keep each run fast; the checks are the same code at any size.
private let limits: DeviceLimits = {
    var limits = DeviceLimits()
    limits.maximumSize = 256
    return limits
}()

private let layoutCheck = FramebufferLayoutCheck(version: DisplayProtocolVersion(major: 1, minor: 2), maximumSize: limits.maximumSize)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var device = Device(limits: limits)
    guard let (producer, _) = try? device.connectProducer(presenting: nil, freshToken: LeaseToken(high: 1, low: 2)) else { return 0 }
    let client = producer.client
    // One output and two framebuffers to start from, so commits find objects to refer to (ids
    // are handed out from 1 on: output 1, its planes, then the framebuffers).
    let mode = DisplayMode(width: 64, height: 48, refreshMillihertz: 60_000)
    guard (try? device.createOutput(OutputRequest(name: "fuzz", modes: [mode]), by: client)) != nil else { return 0 }
    for path in [FramebufferPath.zeroCopy, .copy] {
        let descriptor = FramebufferDescriptor(formatCode: FourCC.xrgb8888.rawValue, width: 64, height: 48, stride: 256)
        _ = try? device.addFramebuffer(descriptor, memory: ByteArrayMemory(bytes: Array(repeating: 0x5a, count: 256 * 48)), path: path, by: client)
    }
    var composers: [OutputID: Composer] = [:]
    var active: [OutputID: Bool] = [:]
    var decoder = DisplayMessageDecoder<ClientToServerMessage>()
    decoder.append(bytes)
    // Stand-ins for the memfds CreateFramebuffer carries: never used as fds here.
    decoder.appendFDs(Array(repeating: Int32(-1), count: 8))
    var clock: UInt64 = 0
    while let decoded = try? decoder.next() {
        switch decoded.message {
        case .createOutput(let request): _ = try? device.createOutput(OutputRequest(wire: request), by: client)
        case .destroyOutput(let output): _ = try? device.destroyOutput(OutputID(output), by: client)
        case .createPlane(let output): _ = try? device.createOverlayPlane(on: OutputID(output), by: client)
        case .destroyPlane(let plane): try? device.destroyPlane(PlaneID(plane), by: client)
        case .createFramebuffer(let request):
            // The server's own checks of the request (§5.6, §11), then memory of the size the
            // layout needs in place of the fd's, when that is small (a stride may reach 2 GiB).
            guard let layout = try? layoutCheck.check(request), layout.requiredBytes <= 1 << 20 else { continue }
            _ = try? device.addFramebuffer(layout.descriptor, memory: ByteArrayMemory(bytes: Array(repeating: 0xa5, count: layout.requiredBytes)),
                                           path: request.flags.contains(.copy) ? .copy : .zeroCopy, by: client)
        case .destroyFramebuffer(let framebuffer): try? device.removeFramebuffer(FramebufferID(framebuffer), by: client)
        case .commit(let request):
            let commit = AtomicCommit(wire: request, requestID: decoded.requestID, device: device, client: client, activeByOutput: active)
            guard (try? device.commit(commit, by: client)) != nil else { continue }
            if !commit.testOnly { for update in commit.outputs { if let enabled = update.enabled { active[update.output] = enabled } } }
            for output in device.allOutputs {
                clock += 16_666_667
                let tick = device.frameTick(output.id, timestampNanoseconds: clock)
                guard tick.applied else { continue }
                var composer = composers[output.id] ?? Composer()
                _ = composer.compose(size: output.size, layers: device.scanoutLayers(of: output.id), planeDamage: tick.planeDamage,
                                     planeMoves: tick.planeMoves)
                composers[output.id] = composer
            }
        default: continue
        }
    }
    return 0
}
