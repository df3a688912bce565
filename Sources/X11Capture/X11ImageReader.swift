import CXCB
import Geometry
import Glibc
import Pixels

/// Reads rectangles of the root window into a frame: through a MIT-SHM segment when the server
/// offers one, otherwise with core GetImage (whose reply carries the pixels through the socket).
final class X11ImageReader {
    private(set) var layout: X11PixelLayout
    let usesSharedMemory: Bool
    private let shm: X11ShmSegment?
    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection

    /// Prepares to read a root window of `size` laid out as `layout`. `log` hears why shared
    /// memory is not used.
    init(connection: X11Connection, size: Size, layout: X11PixelLayout, log: (String) -> Void) throws {
        self.connection = connection
        self.layout = layout
        var segment: X11ShmSegment?
        if connection.hasShm {
            do {
                segment = try X11ShmSegment(connection: connection, capacity: layout.stride(width: size.width) * size.height)
            } catch {
                log("MIT-SHM unavailable on \(connection.display) (\(error)); reading the screen with GetImage")
            }
        } else {
            log("\(connection.display) has no MIT-SHM 1.2; reading the screen with GetImage")
        }
        shm = segment
        usesSharedMemory = segment != nil
    }

    /// Reads pixels through these colours from now on (a colormapped screen's colormap changed);
    /// whether they differ from the ones before.
    func usePalette(_ palette: [UInt32]) -> Bool {
        guard layout.palette != nil, layout.palette != palette else { return false }
        layout.palette = palette
        return true
    }

    /// Copies `rect` (inside the root window) into the same place of `frame`. False when the X
    /// server refused or the connection broke.
    func read(_ rect: Rect, into frame: inout PixelBuffer) -> Bool { read([rect], into: &frame) }

    /// Copies each of `rects` (inside the root window) into the same place of `frame`, the
    /// requests of a batch all sent before the first reply is awaited: one round trip per batch
    /// where each read used to cost its own. A batch holds at most one screen of image bytes: what
    /// fits the shared-memory segment side by side, or, without it, what xcb keeps of the replies
    /// at once (merged reads may overlap, so a frame's reads can add up to more than the screen).
    /// False when the X server refused one (the others are still copied) or the connection broke.
    func read(_ rects: [Rect], into frame: inout PixelBuffer) -> Bool {
        let wanted = rects.filter { !$0.isEmpty }
        guard wanted.allSatisfy({ $0.intersection(frame.bounds) == $0 }) else { return false }
        let capacity = shm?.capacity ?? layout.stride(width: frame.width) * frame.height
        var complete = true
        var batch: [(rect: Rect, offset: Int)] = []
        var used = 0
        func readBatch() {
            guard !batch.isEmpty else { return }
            let read = shm.map { readShared(batch, through: $0, into: &frame) } ?? readThroughSocket(batch.map(\.rect), into: &frame)
            complete = read && complete
            batch.removeAll(keepingCapacity: true)
            used = 0
        }
        for rect in wanted {
            let bytes = layout.stride(width: rect.width) * rect.height
            guard bytes <= capacity else { complete = false; continue }
            if used + bytes > capacity { readBatch() }
            batch.append((rect, used))
            // The next image starts on a cache line of its own. (Only the next offset is rounded:
            // the segment holds exactly one whole screen, which must still fit at offset 0.)
            used += (bytes + 63) & ~63
        }
        readBatch()
        return complete
    }

    /// One batch through the segment, each image at its offset.
    private func readShared(_ batch: [(rect: Rect, offset: Int)], through shm: X11ShmSegment, into frame: inout PixelBuffer) -> Bool {
        let requests = batch.map { shm.requestImage(x: $0.rect.x, y: $0.rect.y, width: $0.rect.width, height: $0.rect.height, offset: $0.offset) }
        var complete = true
        for (item, request) in zip(batch, requests) {
            guard shm.finish(request) else { complete = false; continue }
            copy(from: UnsafeRawPointer(shm.base) + item.offset, stride: layout.stride(width: item.rect.width), rect: item.rect, into: &frame)
        }
        return complete
    }

    /// One batch with core GetImage, the pixels in the replies.
    private func readThroughSocket(_ rects: [Rect], into frame: inout PixelBuffer) -> Bool {
        let c = connection.raw
        let requests = rects.map { rect in
            xcb_get_image(c, UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue), connection.root,
                          Int16(rect.x), Int16(rect.y), UInt16(rect.width), UInt16(rect.height), ~0)
        }
        var complete = true
        for (rect, request) in zip(rects, requests) {
            guard let reply = xcb_get_image_reply(c, request, nil) else { complete = false; continue }
            defer { free(reply) }
            let stride = layout.stride(width: rect.width)
            guard Int(xcb_get_image_data_length(reply)) >= stride * rect.height, let data = xcb_get_image_data(reply) else {
                complete = false
                continue
            }
            copy(from: UnsafeRawPointer(data), stride: stride, rect: rect, into: &frame)
        }
        return complete
    }

    private func copy(from source: UnsafeRawPointer, stride: Int, rect: Rect, into frame: inout PixelBuffer) {
        let width = frame.width
        let layout = layout
        frame.pixels.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for row in 0..<rect.height {
                layout.convertRow(source + row * stride, count: rect.width, into: base + (rect.y + row) * width + rect.x)
            }
        }
    }
}
