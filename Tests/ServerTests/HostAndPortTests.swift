import Testing
@testable import Server

struct HostAndPortTests {
    @Test(arguments: [
        ("127.0.0.1:5900", "127.0.0.1", 5900), ("localhost::5901", "localhost", 5901),
        ("[::1]:5902", "::1", 5902), (":0", "127.0.0.1", 0),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(try HostAndPort(parsing: text) == HostAndPort(host: host, port: port))
    }

    @Test(arguments: ["5900", "host:", "host:99999", "[::1]5900", "host:port"])
    func rejects(text: String) {
        #expect(throws: HostAndPort.ParseError.self) { try HostAndPort(parsing: text) }
    }
}
