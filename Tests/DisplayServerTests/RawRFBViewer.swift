#if canImport(Glibc)
import Glibc
#endif

/// A minimal RFB 3.8 viewer over a blocking TCP socket, for watching what a `PrimaryOutputSource`
/// tells viewers: security None, Raw pixels, and the DesktopSize (-223), ExtendedDesktopSize
/// (-308), and Cursor (-239) with PointerPos (-232) pseudo-encodings: the server sends pointer
/// positions only to viewers that draw the cursor themselves. Every read waits at most `timeout` seconds (SO_RCVTIMEO).
final class RawRFBViewer {
    enum Failure: Error, CustomStringConvertible {
        case io(String)
        case protocolError(String)
        var description: String {
            switch self {
            case .io(let text), .protocolError(let text): return text
            }
        }
    }

    /// What one rectangle of a FramebufferUpdate was.
    enum Rectangle: Equatable {
        case pixels(x: Int, y: Int, width: Int, height: Int)
        case desktopSize(width: Int, height: Int)
        case extendedDesktopSize(width: Int, height: Int)
        case pointerPosition(x: Int, y: Int)
        case cursorShape(width: Int, height: Int)
    }

    private let fd: Int32
    private(set) var width = 0
    private(set) var height = 0
    private var bytesPerPixel = 4
    private var bigEndian = false
    /// The server's pixel format shifts (red, green, blue), from ServerInit.
    private(set) var shifts: (red: Int, green: Int, blue: Int) = (16, 8, 0)
    /// The viewer's framebuffer as the server's 32-bit pixel values, row by row; Raw rectangles
    /// are written into it (a size change clears it).
    private(set) var pixels: [UInt32] = []

    init(port: Int, timeout: Double = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket: errno \(errno)") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); throw Failure.io("connect: errno \(errno)") }
    }

    deinit { Glibc.close(fd) }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure.io(n == 0 ? "the server closed the connection" : "read: errno \(errno) (timed out?)") }
            got += n
        }
        return bytes
    }

    private func write(_ bytes: [UInt8]) throws {
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress!, $0.count) }) == bytes.count else {
            throw Failure.io("write: errno \(errno)")
        }
    }

    private func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private func u32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }

    /// Version, security None, ClientInit (shared), ServerInit, then SetEncodings: Raw,
    /// DesktopSize, ExtendedDesktopSize, and Cursor with PointerPos when `pointerPosition` is set.
    func handshake(pointerPosition: Bool = false) throws {
        _ = try read(12)
        try write(Array("RFB 003.008\n".utf8))
        let count = Int(try read(1)[0])
        guard count > 0, try read(count).contains(1) else { throw Failure.protocolError("security None is not offered") }
        try write([1])
        guard u32(try read(4), 0) == 0 else { throw Failure.protocolError("security result: failed") }
        try write([1])
        let serverInit = try read(24)
        width = u16(serverInit, 0)
        height = u16(serverInit, 2)
        bytesPerPixel = Int(serverInit[4]) / 8
        bigEndian = serverInit[6] != 0
        shifts = (Int(serverInit[14]), Int(serverInit[15]), Int(serverInit[16]))
        pixels = Array(repeating: 0, count: width * height)
        _ = try read(u32(serverInit, 20))
        let encodings: [Int32] = [0, -223, -308] + (pointerPosition ? [-239, -232] : [])
        var message: [UInt8] = [2, 0, 0, UInt8(encodings.count)]
        for encoding in encodings { withUnsafeBytes(of: encoding.bigEndian) { message += $0 } }
        try write(message)
    }

    func requestUpdate(incremental: Bool) throws {
        try write([3, incremental ? 1 : 0, 0, 0, 0, 0, UInt8(width >> 8), UInt8(width & 0xff), UInt8(height >> 8), UInt8(height & 0xff)])
    }

    /// Reads server messages until a FramebufferUpdate has come whole; returns its rectangles.
    /// A size rectangle changes `width` and `height`, as a viewer's framebuffer would.
    func readUpdate() throws -> [Rectangle] {
        while true {
            let type = try read(1)[0]
            switch type {
            case 0:
                let header = try read(3)
                var rectangles: [Rectangle] = []
                for _ in 0..<u16(header, 1) {
                    let rect = try read(12)
                    let x = u16(rect, 0), y = u16(rect, 2), w = u16(rect, 4), h = u16(rect, 6)
                    switch Int32(bitPattern: UInt32(u32(rect, 8))) {
                    case 0:
                        let bytes = try read(w * h * bytesPerPixel)
                        if bytesPerPixel == 4 && x + w <= width && y + h <= height {
                            for row in 0..<h {
                                for column in 0..<w {
                                    let i = (row * w + column) * 4
                                    let value = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                                    pixels[(y + row) * width + x + column] = bigEndian ? value.byteSwapped : value
                                }
                            }
                        }
                        rectangles.append(.pixels(x: x, y: y, width: w, height: h))
                    case -223:
                        (width, height) = (w, h)
                        pixels = Array(repeating: 0, count: w * h)
                        rectangles.append(.desktopSize(width: w, height: h))
                    case -308:
                        let screens = Int(try read(4)[0])
                        _ = try read(16 * screens)
                        (width, height) = (w, h)
                        pixels = Array(repeating: 0, count: w * h)
                        rectangles.append(.extendedDesktopSize(width: w, height: h))
                    case -239:
                        _ = try read(w * h * bytesPerPixel + (w + 7) / 8 * h)
                        rectangles.append(.cursorShape(width: w, height: h))
                    case -232:
                        rectangles.append(.pointerPosition(x: x, y: y))
                    case let other:
                        throw Failure.protocolError("unexpected encoding \(other)")
                    }
                }
                return rectangles
            case 3:
                let header = try read(7)
                _ = try read(u32(header, 3))
            default:
                throw Failure.protocolError("unexpected server message type \(type)")
            }
        }
    }
}
