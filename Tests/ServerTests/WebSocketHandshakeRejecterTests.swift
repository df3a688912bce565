import Testing
@testable import Server

struct WebSocketHandshakeRejecterTests {
    private typealias Header = WebSocketHandshakeRejecter.Header

    private func refusal(_ headers: [(String, String)], method: String = "GET") -> WebSocketHandshakeRejecter.Refusal {
        WebSocketHandshakeRejecter.refusal(method: method, headers: headers.map { Header(name: $0.0, value: $0.1) })
    }

    private let upgrade = [("Upgrade", "websocket"), ("Connection", "Upgrade")]

    @Test func missingKeyIs400() {
        let answer = refusal(upgrade + [("Sec-WebSocket-Version", "13")])
        #expect(answer.statusCode == 400)
        #expect(answer.reason.contains("no Sec-WebSocket-Key"))
    }

    @Test func repeatedKeyIs400() {
        let answer = refusal(upgrade + [("Sec-WebSocket-Key", "a"), ("sec-websocket-key", "b"), ("Sec-WebSocket-Version", "13")])
        #expect(answer.statusCode == 400)
        #expect(answer.reason.contains("more than one"))
    }

    @Test func wrongVersionIs426WithTheSupportedVersion() {
        let answer = refusal(upgrade + [("Sec-WebSocket-Key", "x"), ("Sec-WebSocket-Version", "8")])
        #expect(answer.statusCode == 426)
        #expect(answer.extraHeaders == [Header(name: "Sec-WebSocket-Version", value: "13")])
    }

    @Test func plainGetIsTold() {
        let answer = refusal([("Host", "x")])
        #expect(answer.statusCode == 400)
        #expect(answer.reason.contains("not a WebSocket upgrade"))
    }

    @Test func otherMethodsAre405() {
        #expect(refusal(upgrade, method: "POST").statusCode == 405)
    }
}
