import Display
import DisplayProtocol
import SystemIO

/// The CursorImage event for an output's cursor plane (docs/protocol.md §7.20), made once per
/// change and sent to every subscriber of the output.
///
/// Pixels travel inline when the whole message fits the 65536-byte maximum (cursors up to about
/// 127 × 127); larger ones go in a sealed memfd, one fd that every subscriber gets a copy of. No
/// cursor is a 0 × 0 image.
struct CursorImageMessage {
    let event: CursorImageEvent
    /// The memfd's handle when the pixels are not inline; kept open until every send is done.
    let fds: [FileDescriptorHandle]

    init(output: OutputID, cursor: ExportedCursor?) throws(SystemError) {
        guard let image = cursor?.image, image.width > 0, image.height > 0 else {
            event = CursorImageEvent(outputID: output.rawValue, width: 0, height: 0, hotspotX: 0, hotspotY: 0, pixels: .inline([]))
            fds = []
            return
        }
        // AR24 is B, G, R, A in memory: a little-endian 0xAARRGGBB.
        let bytes = image.argb.withUnsafeBytes { Array($0) }
        let inlineLength = 28 + bytes.count
        let pixels: CursorImageEvent.Pixels
        if inlineLength <= DisplayProtocolLimits.version1.maximumMessageSize {
            pixels = .inline(bytes)
            fds = []
        } else {
            let memfd = try Memfd.create(name: "porthole-cursor-\(output.rawValue)", size: bytes.count)
            do {
                let mapping = try SharedMemoryMapping(fd: memfd.handle, length: bytes.count, access: .readWrite)
                bytes.withUnsafeBytes { mapping.mutableBytes?.copyMemory(from: $0) }
            }
            // Consumers map it read-only (§11); nobody may change it any more.
            try memfd.seal([.shrink, .grow, .futureWrite, .seal])
            pixels = .memfd(memfd.handle.rawValue)
            fds = [memfd.handle]
        }
        event = CursorImageEvent(outputID: output.rawValue, width: UInt16(clamping: image.width), height: UInt16(clamping: image.height),
                                 hotspotX: UInt16(clamping: max(0, image.hotspot.x)), hotspotY: UInt16(clamping: max(0, image.hotspot.y)),
                                 pixels: pixels)
    }
}
