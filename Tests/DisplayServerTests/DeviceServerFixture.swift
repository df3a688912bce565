#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import PortholeClient
import SystemIO
import Testing

/// A device server on a socket in a fresh temporary directory, with helpers to connect
/// producers to it. `close()` stops the server and removes the directory.
final class DeviceServerFixture {
    let directory: String
    let server: DeviceServer

    /// A server with the default configuration, or `configure`'s changes to it (a short grace
    /// period, for instance).
    init(configure: (inout DeviceServerConfiguration) -> Void = { _ in }) throws {
        var template = Array("/tmp/porthole-devserver-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        directory = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var configuration = DeviceServerConfiguration(socketPath: directory + "/porthole-0")
        configure(&configuration)
        server = try DeviceServer(configuration: configuration)
        server.start()
    }

    func close() {
        server.stop()
        unlink(server.socketPath)
        rmdir(directory)
    }

    func producer(_ name: String) throws -> DisplayClient {
        try DisplayClient(socketPath: server.socketPath, role: .producer, name: name, timeout: 5)
    }

    /// A raw connection, for bytes no well-behaved client would send.
    func rawConnection() throws -> FDPassingConnection {
        FDPassingConnection(try UnixSocket.connect(path: server.socketPath))
    }
}

/// A producer with one output and two framebuffers: the usual double-buffered scheme.
struct ProducerSetup {
    let client: DisplayClient
    let output: OutputCreatedReply
    let buffers: [ProducerBuffer]
    let framebuffers: [UInt32]
    let width: UInt32
    let height: UInt32

    init(_ client: DisplayClient, width: UInt32 = 64, height: UInt32 = 48, refreshMillihertz: UInt32 = 60_000) throws {
        self.client = client
        self.width = width
        self.height = height
        output = try client.createOutput(name: "Virtual-1", width: width, height: height, refreshMillihertz: refreshMillihertz)
        buffers = try (0..<2).map { _ in try ProducerBuffer(width: width, height: height) }
        framebuffers = try buffers.map { try client.createFramebuffer($0) }
    }

    /// Fills buffer `index` with the test pattern for `seed`.
    func draw(_ index: Int, seed: UInt32) {
        buffers[index].withPixels { pixels in
            for y in 0..<Int(height) {
                for x in 0..<Int(width) { pixels[y * Int(width) + x] = Self.pattern(x: x, y: y, seed: seed) }
            }
        }
    }

    static func pattern(x: Int, y: Int, seed: UInt32) -> UInt32 {
        (UInt32(x) &* 4 ^ seed) << 16 | (UInt32(y) &* 5) << 8 | (UInt32(x + y) &* 3 ^ seed)
    }

    func expectedFrame(seed: UInt32) -> [UInt32] {
        (0..<Int(height)).flatMap { y in (0..<Int(width)).map { x in Self.pattern(x: x, y: y, seed: seed) } }
    }

    /// Commits buffer `index` with `damage` and waits for its page flip.
    @discardableResult
    func presentAndWait(_ index: Int, damage: [WireRect] = []) throws -> PageFlipEvent {
        let request = try client.present(framebuffer: framebuffers[index], width: width, height: height,
                                         on: output.primaryPlaneID, damage: damage)
        return try client.waitForPageFlip(output: output.outputID, commitRequestID: request)
    }
}

/// The frame a device output's source shows after one `advance`.
func shownFrame(_ server: DeviceServer, output: UInt32) -> [UInt32]? {
    guard let source = server.outputSource(for: OutputID(output)) else { return nil }
    _ = source.advance(to: 0)
    return source.frame.pixels
}
