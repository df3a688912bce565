import CXCB
import Geometry
import Glibc
import Pixels

/// Reads rectangles of the root window into a frame: through a MIT-SHM segment when the server
/// offers one, otherwise with core GetImage (whose reply carries the pixels through the socket).
final class X11ImageReader {
    let layout: X11PixelLayout
    let usesSharedMemory: Bool
    private let shm: X11ShmSegment?
    /// Strong, so the connection outlives everything made on it (their deinits still send requests).
    private let connection: X11Connection

    /// Prepares to read a root window of `size`. `log` hears why shared memory is not used.
    init(connection: X11Connection, size: Size, log: (String) -> Void) throws {
        self.connection = connection
        layout = try connection.pixelLayout()
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

    /// Copies `rect` (inside the root window) into the same place of `frame`. False when the X
    /// server refused or the connection broke.
    func read(_ rect: Rect, into frame: inout PixelBuffer) -> Bool {
        guard !rect.isEmpty, rect.intersection(frame.bounds) == rect else { return rect.isEmpty }
        let stride = layout.stride(width: rect.width)
        if let shm {
            guard stride * rect.height <= shm.capacity,
                  shm.getImage(x: rect.x, y: rect.y, width: rect.width, height: rect.height) else { return false }
            copy(from: UnsafeRawPointer(shm.base), stride: stride, rect: rect, into: &frame)
            return true
        }
        let c = connection.raw
        let cookie = xcb_get_image(c, UInt8(XCB_IMAGE_FORMAT_Z_PIXMAP.rawValue), connection.root,
                                   Int16(rect.x), Int16(rect.y), UInt16(rect.width), UInt16(rect.height), ~0)
        guard let reply = xcb_get_image_reply(c, cookie, nil) else { return false }
        defer { free(reply) }
        guard Int(xcb_get_image_data_length(reply)) >= stride * rect.height, let data = xcb_get_image_data(reply) else { return false }
        copy(from: UnsafeRawPointer(data), stride: stride, rect: rect, into: &frame)
        return true
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
