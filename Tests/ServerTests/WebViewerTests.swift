import Capture
import Foundation
import PortholeTestSupport
import Testing
@testable import Server

/// The `--web` listener over real sockets: the redirect to vnc.html, files with their types, path
/// traversal refused, and the install page when noVNC is missing.
@Suite(.timeLimit(.minutes(1)))
final class WebViewerTests {
    /// Where `makeRoot` builds this test's fake noVNC; removed when the test ends.
    private let base = FileManager.default.temporaryDirectory.appendingPathComponent("porthole-web-\(UUID().uuidString)")

    deinit { try? FileManager.default.removeItem(at: base) }

    private func withServer(noVNCRoot: String, _ body: (PortholeServer, LogRecorder) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.web = HostAndPort(host: "127.0.0.1", port: 0)
        configuration.noVNCRoot = noVNCRoot
        let log = LogRecorder()
        let server = try await PortholeServer.start(configuration: configuration, source: StillImageSource(TestImages.desktop(width: 64, height: 48)),
                                                    logger: log.makeLogger())
        do { try await body(server, log) } catch { await server.stop(); throw error }
        await server.stop()
    }

    /// A fake noVNC root with a page, a script and a secret next to it (outside the root).
    private func makeRoot() throws -> String {
        let root = base.appendingPathComponent("novnc")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app"), withIntermediateDirectories: true)
        try Data("<html>noVNC</html>".utf8).write(to: root.appendingPathComponent("vnc.html"))
        try Data("export default 1;".utf8).write(to: root.appendingPathComponent("app/ui.js"))
        try Data("TOP-SECRET-CONTENT".utf8).write(to: base.appendingPathComponent("secret.txt"))
        return root.path
    }

    private func get(_ target: String, port: Int) async throws -> (head: String, body: String) {
        let request = Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        let connection = try await RawTestConnection.connect(port: port, firstBytes: request)
        defer { connection.close() }
        let head = try await connection.receive("the response head") { TestWebSocket.takeHTTPHead(&$0) }
        let length = Int(TestWebSocket.header(named: "Content-Length", in: head) ?? "0") ?? 0
        let body = try await connection.receive("the body") { bytes -> String? in
            guard bytes.count >= length else { return nil }
            defer { bytes.removeFirst(length) }
            return String(decoding: bytes[..<length], as: UTF8.self)
        }
        return (head, body)
    }

    @Test func rootRedirectsToTheConnectingViewer() async throws {
        try await withServer(noVNCRoot: try makeRoot()) { server, _ in
            let web = try #require(server.webAddress)
            let (head, _) = try await get("/", port: web.port)
            #expect(head.hasPrefix("HTTP/1.1 302"))
            #expect(TestWebSocket.header(named: "Location", in: head)
                    == "/vnc.html?autoconnect=true&host=127.0.0.1&port=\(server.boundAddress.port)&path=")
            #expect(server.webViewerURL == "http://127.0.0.1:\(web.port)/vnc.html?autoconnect=true&host=127.0.0.1&port=\(server.boundAddress.port)&path=")
        }
    }

    @Test func aCompanionOutputsViewerURLOpensThisNoVNCOnItsOwnPort() async throws {
        // `--output-ports`: further outputs have no web listener of their own; their URL is the
        // first server's noVNC pointed at their port.
        try await withServer(noVNCRoot: try makeRoot()) { server, log in
            let web = try #require(server.webAddress)
            var configuration = ServerConfiguration()
            configuration.port = 0
            let companion = try await server.startCompanion(port: 0, source: StillImageSource(TestImages.desktop(width: 32, height: 24)),
                                                            configuration: configuration, logger: log.makeLogger())
            #expect(companion.boundAddress.port != server.boundAddress.port)
            #expect(companion.webAddress == web)
            #expect(companion.webViewerURL
                    == "http://127.0.0.1:\(web.port)/vnc.html?autoconnect=true&host=127.0.0.1&port=\(companion.boundAddress.port)&path=")
        }
    }

    @Test func servesFilesWithTheirTypes() async throws {
        try await withServer(noVNCRoot: try makeRoot()) { server, _ in
            let port = try #require(server.webAddress).port
            let page = try await get("/vnc.html?autoconnect=true", port: port)
            #expect(page.head.hasPrefix("HTTP/1.1 200"))
            #expect(TestWebSocket.header(named: "Content-Type", in: page.head) == "text/html; charset=utf-8")
            #expect(page.body == "<html>noVNC</html>")
            let script = try await get("/app/ui.js", port: port)
            #expect(TestWebSocket.header(named: "Content-Type", in: script.head) == "text/javascript; charset=utf-8")
            #expect(script.body == "export default 1;")
            #expect(try await get("/app/missing.js", port: port).head.hasPrefix("HTTP/1.1 404"))
            #expect(try await get("/app", port: port).head.hasPrefix("HTTP/1.1 404"))
        }
    }

    @Test(arguments: ["/../secret.txt", "/app/../../secret.txt", "/%2e%2e/secret.txt", "/app/%2e%2e%2f%2e%2e%2fsecret.txt"])
    func pathTraversalIsRefused(target: String) async throws {
        try await withServer(noVNCRoot: try makeRoot()) { server, log in
            let (head, body) = try await get(target, port: try #require(server.webAddress).port)
            #expect(head.hasPrefix("HTTP/1.1 400"))
            #expect(!body.contains("TOP-SECRET-CONTENT"))
            #expect(await log.waitForLine(containing: "refused", target))
        }
    }

    @Test func missingNoVNCGivesTheInstallPage() async throws {
        let root = "/nonexistent-\(UUID().uuidString)/novnc"
        try await withServer(noVNCRoot: root) { server, log in
            #expect(await log.waitForLine(containing: "noVNC is not installed", "apt-get install novnc"))
            let port = try #require(server.webAddress).port
            for target in ["/", "/vnc.html?autoconnect=true"] {
                let (head, body) = try await get(target, port: port)
                #expect(head.hasPrefix("HTTP/1.1 200"))
                #expect(body.contains("apt-get install novnc"))
            }
            #expect(try await get("/app/ui.js", port: port).head.hasPrefix("HTTP/1.1 404"))
        }
    }
}
