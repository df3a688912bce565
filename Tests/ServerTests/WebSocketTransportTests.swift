import Capture
import Foundation
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import Testing
@testable import Server

/// RFB over WebSocket on the RFB port, in-process: real sockets, the hand-rolled RFC 6455 client
/// of `TestWebSocket` and RFBClient's state machine on the other end.
@Suite(.timeLimit(.minutes(2)))
struct WebSocketTransportTests {
    static let image = TestImages.desktop(width: 320, height: 200)
    /// Longer than the default 150 ms: on a loaded machine a test client's first bytes can come
    /// late, and a browser's request must never be taken for a native viewer's silence.
    static let sniffWindow = 3.0

    private func withServer(_ body: (PortholeServer, LogRecorder) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.transportSniffTimeout = Self.sniffWindow
        let log = LogRecorder()
        let server = try await PortholeServer.start(configuration: configuration, source: StillImageSource(Self.image), logger: log.makeLogger())
        do {
            try await body(server, log)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test(arguments: [Encoding.zrle, .hextile, .raw])
    func browserViewerGetsThePicture(encoding: Encoding) async throws {
        try await withServer { server, _ in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            defer { viewer.connection.close() }
            #expect(TestWebSocket.header(named: "Sec-WebSocket-Accept", in: viewer.responseHead) == TestWebSocket.sampleAccept)
            #expect(TestWebSocket.header(named: "Sec-WebSocket-Protocol", in: viewer.responseHead) == nil)
            let picture = try await viewer.picture(encoding: encoding)
            #expect(picture == Self.image)
        }
    }

    @Test func binaryIsChosenWhenOffered() async throws {
        try await withServer { server, _ in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port, protocols: ["base64", "binary"])
            defer { viewer.connection.close() }
            #expect(TestWebSocket.header(named: "Sec-WebSocket-Protocol", in: viewer.responseHead) == "binary")
            #expect(try await viewer.picture(encoding: .zrle) == Self.image)
        }
    }

    @Test func base64SubprotocolCarriesRFBAsText() async throws {
        try await withServer { server, _ in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port, protocols: ["base64"])
            defer { viewer.connection.close() }
            #expect(TestWebSocket.header(named: "Sec-WebSocket-Protocol", in: viewer.responseHead) == "base64")
            #expect(try await viewer.picture(encoding: .hextile) == Self.image)
        }
    }

    @Test func plainRFBViewerOnTheSamePortStillWorks() async throws {
        try await withServer { server, _ in
            let browser = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            defer { browser.connection.close() }
            #expect(try await browser.picture(encoding: .zrle) == Self.image)
            let picture = try await VNCSnapshot.capture(address: server.boundAddress, preferredEncoding: .zrle, password: nil, timeout: 10)
            #expect(picture == Self.image)
        }
    }

    @Test func pingIsAnsweredWithPong() async throws {
        try await withServer { server, _ in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            defer { viewer.connection.close() }
            _ = try await viewer.picture(encoding: .raw)
            try await viewer.connection.send(TestWebSocket.frame(opcode: TestWebSocket.ping, payload: Array("are you there".utf8)))
            let pong = try await viewer.connection.receive("the pong") { TestWebSocket.takeFrame(&$0) }
            #expect(pong == TestWebSocket.Frame(fin: true, opcode: TestWebSocket.pong, payload: Array("are you there".utf8), masked: false))
            // RFB still flows after the control frame.
            #expect(try await viewer.picture(encoding: .raw) == Self.image)
        }
    }

    @Test func closeIsAnsweredAndTheConnectionEnds() async throws {
        try await withServer { server, log in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            _ = try await viewer.picture(encoding: .raw)
            try await viewer.connection.send(TestWebSocket.frame(opcode: TestWebSocket.close, payload: [0x03, 0xE8]))
            let close = try await viewer.connection.receive("the close answer") { TestWebSocket.takeFrame(&$0) }
            #expect(close.opcode == TestWebSocket.close)
            #expect(close.closeCode == 1000)
            #expect(await viewer.connection.waitUntilClosed())
            #expect(await log.waitForLine(containing: viewer.connection.localDescription, "disconnected"))
        }
    }

    /// The server ends an RFB session (here for a message type RFB does not have): the browser gets
    /// a Close frame (1000) before the connection ends, not a dropped connection (RFC 6455 §7.1.2).
    @Test func serverSideDisconnectSendsAClose() async throws {
        try await withServer { server, log in
            let viewer = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            #expect(try await viewer.picture(encoding: .raw) == Self.image)
            try await viewer.sendRFB(ByteBuffer(bytes: [99, 0, 0, 0]))
            let close = try await viewer.connection.receive("the Close frame") { bytes -> TestWebSocket.Frame? in
                while let frame = TestWebSocket.takeFrame(&bytes) { if frame.opcode == TestWebSocket.close { return frame } }
                return nil
            }
            #expect(close.closeCode == 1000)
            #expect(!close.masked)
            #expect(await viewer.connection.waitUntilClosed())
            #expect(await log.waitForLine(containing: viewer.connection.localDescription, "unknown client message type 99"))
        }
    }

    // MARK: - Hostile input: each case fails that one peer with a clear log line; another viewer goes on.

    /// Opens a healthy browser viewer, then a second WebSocket connection that sends `bad`; checks the
    /// Close code and the log line for the bad peer, and that the healthy viewer still gets pictures.
    private func expectFailure(_ bad: [UInt8], closeCode: Int, logSays fragment: String) async throws {
        try await withServer { server, log in
            let good = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            defer { good.connection.close() }
            #expect(try await good.picture(encoding: .zrle) == Self.image)

            let hostile = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            try await hostile.connection.send(bad)
            let close = try await hostile.connection.receive("the Close frame") { bytes -> TestWebSocket.Frame? in
                while let frame = TestWebSocket.takeFrame(&bytes) { if frame.opcode == TestWebSocket.close { return frame } }
                return nil
            }
            #expect(close.closeCode == closeCode)
            #expect(await hostile.connection.waitUntilClosed())
            let line = await log.waitForLine(containing: hostile.connection.localDescription, fragment)
            #expect(line, "no log line for \(hostile.connection.localDescription) saying \(fragment): \(log.lines)")
            #expect(!log.lines.contains { $0.contains(good.connection.localDescription) && $0.contains("disconnected") })

            #expect(try await good.picture(encoding: .zrle) == Self.image)
        }
    }

    @Test func frameOverTheSizeLimitIsRefused() async throws {
        // Only the header: the server must refuse on the declared length, before any payload arrives.
        let header = TestWebSocket.header(opcode: TestWebSocket.binary, length: UInt64(16 << 20) + 1, mask: [1, 2, 3, 4])
        try await expectFailure(header, closeCode: 1009, logSays: "larger than the 16 MiB limit")
    }

    @Test func unmaskedFrameIsRefused() async throws {
        try await expectFailure(TestWebSocket.frame(opcode: TestWebSocket.binary, payload: [3, 1, 0, 0, 0, 0, 1, 0, 1], mask: nil),
                                closeCode: 1002, logSays: "unmasked frame")
    }

    @Test func fragmentedPingIsRefused() async throws {
        try await expectFailure(TestWebSocket.frame(opcode: TestWebSocket.ping, payload: [1, 2], fin: false),
                                closeCode: 1002, logSays: "control frame is fragmented")
    }

    @Test func handshakeWithoutKeyGets400() async throws {
        try await withServer { server, log in
            let good = try await WebSocketTestViewer.open(port: server.boundAddress.port)
            defer { good.connection.close() }
            #expect(try await good.picture(encoding: .zrle) == Self.image)

            let hostile = try await RawTestConnection.connect(port: server.boundAddress.port, firstBytes: TestWebSocket.handshake(key: nil))
            let head = try await hostile.receive("the refusal") { TestWebSocket.takeHTTPHead(&$0) }
            #expect(head.hasPrefix("HTTP/1.1 400"))
            #expect(await hostile.waitUntilClosed())
            let line = await log.waitForLine(containing: hostile.localDescription, "no Sec-WebSocket-Key")
            #expect(line, "\(log.lines)")

            #expect(try await good.picture(encoding: .zrle) == Self.image)
        }
    }

    @Test func nativeViewerGetsTheVersionAfterTheSniffDelay() async throws {
        try await withServer { server, _ in
            let started = Date()
            let native = try await RawTestConnection.connect(port: server.boundAddress.port)
            defer { native.close() }
            let version = try await native.receive("the ProtocolVersion") { bytes -> [UInt8]? in
                guard bytes.count >= 12 else { return nil }
                defer { bytes.removeFirst(12) }
                return Array(bytes[..<12])
            }
            #expect(version == Array("RFB 003.008\n".utf8))
            #expect(Date().timeIntervalSince(started) >= Self.sniffWindow * 0.9)
        }
    }
}
